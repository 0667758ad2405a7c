// The IDE's ready collection of example operations: a developer's first session
// against the gateway (register, log in, the learner dashboard, a catalog page,
// progress, live subscriptions). Hive Gateway's IDE (Hive Laboratory) shows it
// in its Collections panel; router/gateway.config.ts passes it only when
// SKILL_CIRCLE_ENVIRONMENT=development (scripts/dev.sh), never in production.
//
// Every operation is validated against the committed API schema by
// tests/tooling/test_tooling.py, so a schema change that breaks one fails there.

const TOKEN_HEADERS = JSON.stringify(
  { Authorization: 'Bearer <paste the accessToken from "2. Log in" here>' },
  null,
  2,
);
const NO_HEADERS = '{}';
const CREATED_AT = '2026-01-01T00:00:00.000Z';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery';

/** One operation of the collection; ids are stable so the IDE keeps one copy. */
function operation(id, name, description, query, variables = {}, headers = TOKEN_HEADERS) {
  return {
    id: `skill-circle-first-session-${id}`,
    name,
    description,
    query: query.trim() + '\n',
    variables: JSON.stringify(variables, null, 2),
    headers,
    extensions: '{}',
    createdAt: CREATED_AT,
  };
}

export const FIRST_SESSION = {
  id: 'skill-circle-first-session',
  name: 'Skill Circle: first session',
  description:
    'Run these in order. After "2. Log in", paste its accessToken into the Authorization ' +
    'header of the operations that follow (Headers tab).',
  createdAt: CREATED_AT,
  operations: [
    operation(
      'register',
      '1. Register',
      'Creates a learner account and returns a first pair of tokens.',
      `
mutation Register($input: RegisterInput!) {
  register(input: $input) {
    accessToken
    refreshToken
    expiresIn
    user { id email displayName roles }
  }
}`,
      { input: { email: EMAIL, password: PASSWORD, displayName: 'Ada' } },
      NO_HEADERS,
    ),
    operation(
      'login',
      '2. Log in',
      'Copy accessToken into the Authorization header ("Bearer <token>") of the next operations.',
      `
mutation LogIn($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    accessToken
    refreshToken
    expiresIn
    user { id displayName }
  }
}`,
      { email: EMAIL, password: PASSWORD },
      NO_HEADERS,
    ),
    operation(
      'dashboard',
      '3. Learner dashboard',
      'Everything the learner home page shows, from four subgraphs in one request.',
      `
query LearnerDashboard {
  me {
    displayName
    preferences { theme }
    stats {
      skillsStarted
      skillsCompleted
      certificates
      currentStreakDays
      averagePercent
    }
    progress {
      percent
      status
      skill { id name }
    }
    learningPaths {
      percent
      roadmap { title }
      nextSkill { id name }
    }
    achievements { title unlockedAt }
    unreadNotificationCount
    notifications(first: 5) {
      edges {
        node { title createdAt readAt }
      }
    }
  }
}`,
    ),
    operation(
      'catalog',
      '4. Catalog page',
      'One page of the skill catalog; pass pageInfo.endCursor as "after" for the next page. No token needed.',
      `
query CatalogPage($first: Int = 10, $after: String, $filter: SkillFilter) {
  skills(first: $first, after: $after, filter: $filter) {
    totalCount
    edges {
      cursor
      node {
        id
        name
        level
        category { name }
        learnerCount
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`,
      { first: 10, after: null },
      NO_HEADERS,
    ),
    operation(
      'progress',
      '5. Record progress',
      'Use a skill id from the catalog page; 100 completes the skill (and sends a notification).',
      `
mutation RecordProgress($skillId: ID!, $percent: Float!) {
  recordProgress(skillId: $skillId, percent: $percent) {
    percent
    status
    skill { name }
  }
}`,
      { skillId: '<a skill id from "4. Catalog page">', percent: 100 },
    ),
    operation(
      'live-progress',
      '6. Live: my progress',
      'A subscription over websockets: start it, then run "5. Record progress" in another tab.',
      `
subscription MyProgress {
  progressUpdated { percent status skill { name } }
}`,
    ),
    operation(
      'live-notifications',
      '7. Live: my notifications',
      'New notifications as they arrive (completing a skill sends one).',
      `
subscription MyNotifications {
  notificationReceived { kind title body createdAt }
}`,
    ),
  ],
};

/** The collections the IDE opens with in `environment` (none outside development). */
export function ideCollections(environment) {
  return environment === 'development' ? [FIRST_SESSION] : undefined;
}
