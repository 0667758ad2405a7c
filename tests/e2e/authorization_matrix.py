"""Who may do what, declared for the committed supergraph: every mutation with the
least role it needs (LEAST_ROLE), and every field of Query and User with who may read
it (READ).

tests/e2e/test_journeys.py tries each through the gateway as anonymous, a learner (the
owner), another learner, an editor and an admin, and compares with `expected`; an
operation missing here (a new one) fails those tests until declared.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    StringValueNode,
    build_schema,
    get_named_type,
    parse,
)

from tests.support.stack import REPO

PUBLIC, SIGNED_IN, EDITOR, ADMIN = "public", "signed in", "EDITOR", "ADMIN"
# SELF: the user themself and ADMIN; anyone else is refused (null and an error).
# HIDDEN: as SELF, but anyone else gets an empty value and no error.
# OWNER: a mutation on an object someone owns: the owner only (OWNED says how others fare).
SELF, HIDDEN, OWNER = "self or admin", "self or admin, else empty", "owner"
NOT_FOUND, NO_EFFECT = "NOT_FOUND", "no effect"

# The callers every cell is tried as; `owner` is the learner whose fields and objects
# the others ask for.
CALLERS = ("owner", "admin", "other learner", "editor", "anonymous")

LEAST_ROLE = {
    # users: anyone may try these (their own checks answer wrong credentials)
    "register": PUBLIC,
    "login": PUBLIC,
    "refreshToken": PUBLIC,
    "logout": PUBLIC,
    "requestPasswordReset": PUBLIC,
    "resetPassword": PUBLIC,
    "verifyEmail": PUBLIC,
    "confirmEmailChange": PUBLIC,
    # the caller's own things
    "updateProfile": SIGNED_IN,
    "updatePreferences": SIGNED_IN,
    "requestEmailVerification": SIGNED_IN,
    "enroll": SIGNED_IN,
    "recordProgress": SIGNED_IN,
    "markLessonDone": SIGNED_IN,
    "followRoadmap": SIGNED_IN,
    "startAssessment": SIGNED_IN,
    "markAllNotificationsRead": SIGNED_IN,
    "updateNotificationKindPreferences": SIGNED_IN,
    "registerPushSubscription": SIGNED_IN,
    "registerSmsNumber": SIGNED_IN,
    "verifySmsNumber": SIGNED_IN,
    "changePassword": SIGNED_IN,
    "changeEmail": SIGNED_IN,
    "deleteAccount": SIGNED_IN,
    # objects someone owns, named by id or address: see OWNED
    "submitAssessment": OWNER,
    "markNotificationRead": OWNER,
    "unregisterPushSubscription": OWNER,
    # the catalog and content
    "createSkill": EDITOR,
    "updateSkill": EDITOR,
    "deleteSkill": EDITOR,
    "addPrerequisite": EDITOR,
    "removePrerequisite": EDITOR,
    "createCategory": EDITOR,
    "createRoadmap": EDITOR,
    "createCourse": EDITOR,
    "updateCourse": EDITOR,
    "publishCourse": EDITOR,
    "unpublishCourse": EDITOR,
    "archiveCourse": EDITOR,
    "createArticle": EDITOR,
    "updateArticle": EDITOR,
    "publishArticle": EDITOR,
    "revertArticle": EDITOR,
    "unpublishArticle": EDITOR,
    "archiveArticle": EDITOR,
    "deleteArticle": EDITOR,
    "createResource": EDITOR,
    "updateResource": EDITOR,
    "deleteResource": EDITOR,
    "createInstitution": EDITOR,
    "updateInstitution": EDITOR,
    "deleteInstitution": EDITOR,
    "createAssessment": EDITOR,
    "updateAssessment": EDITOR,
    "retireAssessment": EDITOR,
    # the platform
    "sendAnnouncement": ADMIN,
    "updateNotificationTemplate": ADMIN,
    "revertNotificationTemplate": ADMIN,
    "setUserRoles": ADMIN,
    "disableUser": ADMIN,
    "enableUser": ADMIN,
}

# What a signed-in caller other than the owner gets from an OWNER mutation (admins
# included): NOT_FOUND (the API does not tell whose the object is) or NO_EFFECT (false,
# and the owner's object is untouched).
OWNED = {
    "submitAssessment": NOT_FOUND,
    "markNotificationRead": NOT_FOUND,
    "unregisterPushSubscription": NO_EFFECT,
}

# Who may read each field of Query and of User (the owner's, asked for through
# `user(id:)`), by the subgraph that resolves it. Fields that are PUBLIC for everyone
# only show less to some callers (drafts to editors) are PUBLIC here.
READ = {
    "content": {
        "Query.course": PUBLIC,
        "Query.courses": PUBLIC,
        "Query.articles": PUBLIC,
        "Query.resources": PUBLIC,
        "Query.institutions": PUBLIC,
        "Query.article": PUBLIC,
        "Query.searchContent": PUBLIC,
    },
    "learning": {
        "Query.assessment": PUBLIC,
        "Query.verifyCertificate": PUBLIC,
        "Query.skillAnalytics": EDITOR,
        "Query.courseAnalytics": EDITOR,
        "Query.activeLearners": EDITOR,
        "Query.cohorts": EDITOR,
        "User.progress": SELF,
        "User.certificates": SELF,
        "User.assessmentAttempts": SELF,
        "User.achievements": SELF,
        "User.learningPaths": SELF,
        "User.courseProgress": SELF,
        "User.stats": SELF,
    },
    "notifications": {
        "Query.deliveryDeadLetters": ADMIN,
        "Query.notificationTemplates": ADMIN,
        "Query.notificationTemplatePreview": ADMIN,
        "Query.webPushPublicKey": PUBLIC,
        "User.notifications": SELF,
        "User.unreadNotificationCount": SELF,
        "User.notificationKindPreferences": SELF,
        "User.smsNumber": SELF,
    },
    "skills": {
        "Query.skill": PUBLIC,
        "Query.skills": PUBLIC,
        "Query.categories": PUBLIC,
        "Query.roadmap": PUBLIC,
        "Query.roadmaps": PUBLIC,
    },
    "users": {
        "Query.me": PUBLIC,  # the caller's own account (null when anonymous)
        "Query.user": PUBLIC,
        "Query.users": ADMIN,
        "Query.adminAuditTrail": ADMIN,
        "Query.exportMyData": SIGNED_IN,  # the caller's own data
        "Query.accountDeletions": ADMIN,
        "User.id": PUBLIC,
        "User.displayName": PUBLIC,
        "User.emailVerified": PUBLIC,
        "User.createdAt": PUBLIC,
        "User.roles": HIDDEN,
        "User.email": SELF,
        "User.preferences": SELF,
        "User.disabledAt": SELF,
    },
    "visualization": {
        "Query.visualizationReady": PUBLIC,
        # Read with a progress chart of the owner's (test_journeys gives the spec): a TREE or
        # ROADMAP without userId is PUBLIC, ANALYTICS is EDITOR (tests/e2e/test_visualizations).
        "Query.visualization": SELF,
        "User.progressChartSvg": SELF,
        "User.skillTreeSvg": SELF,
    },
}
# Every field of these types must be in READ.
READ_TYPES = ("Query", "User")


def expected(rule: str, caller: str) -> str:
    """What `caller` gets from an operation declared `rule`: "data" (allowed), "empty"
    (HIDDEN: an empty value, no error), an error code, or OWNED's answer ("others")."""
    if caller == "admin" or rule == PUBLIC:
        return "others" if rule == OWNER else "data"
    if rule == HIDDEN:
        return "data" if caller == "owner" else "empty"
    if caller == "anonymous":
        return "UNAUTHENTICATED"
    if caller == "owner" and rule in (SIGNED_IN, SELF, OWNER):
        return "data"
    if rule == SIGNED_IN or (rule == EDITOR and caller == "editor"):
        return "data"
    return "others" if rule == OWNER else "FORBIDDEN"


def supergraph() -> GraphQLSchema:
    return build_schema((REPO / "schema/supergraph.graphql").read_text())


def mutation_request(schema: GraphQLSchema, name: str) -> tuple[str, dict[str, Any]]:
    """`name` called with made-up values for its required arguments, selecting __typename
    (or nothing, for a scalar result)."""
    assert schema.mutation_type is not None
    declared, call, variables = _call(name, schema.mutation_type.fields[name], {})
    header = f"mutation ({declared})" if declared else "mutation"
    return f"{header} {{ {call} }}", variables


# The ways to the owner's User the matrix reads its fields by: the variable each needs,
# the query around the field, and the field's parent in the response. The certificate
# is public (anyone may verify it); its `user` is the owner, resolved by reference.
USER_PATHS = {
    "user(id:)": ("$owner: ID!", "user(id: $owner) {{ {} }}", ["user"]),
    "verifyCertificate.user": (
        "$code: String!",
        "verifyCertificate(verificationCode: $code) {{ user {{ {} }} }}",
        ["verifyCertificate", "user"],
    ),
}


def field_request(
    schema: GraphQLSchema, name: str, values: dict[str, Any], via: str = "user(id:)"
) -> tuple[str, dict[str, Any], list[list[str]]]:
    """The field `name` ("Query.x" or "User.x") as a query: a User field read on the
    owner by the USER_PATHS entry `via`; its arguments made up unless `values` gives
    them (`values` also holds `via`'s variable). Returns the query, its variables and
    the paths in the response its errors may name: the field's, then those of the
    fields it @requires (a gateway passes on their refusal too)."""
    type_name, field_name = name.split(".")
    owner_type = schema.type_map[type_name]
    assert isinstance(owner_type, GraphQLObjectType), name
    field = owner_type.fields[field_name]
    declared, call, variables = _call(field_name, field, values)
    if type_name == "Query":
        header = f"query ({declared})" if declared else "query"
        return f"{header} {{ {call} }}", variables, [[field_name]]
    root_variable, around, parent = USER_PATHS[via]
    declared = ", ".join(filter(None, [root_variable, declared]))
    query = f"query ({declared}) {{ {around.format(call)} }}"
    key = root_variable.split(":")[0].removeprefix("$")
    paths = [[*parent, f] for f in [field_name, *requires(field)]]
    return query, {**variables, key: values[key]}, paths


def requires(field: GraphQLField) -> list[str]:
    """The fields of the same type that `field` @requires (join__field's `requires`)."""
    names = []
    for directive in (field.ast_node and field.ast_node.directives) or ():
        if directive.name.value != "join__field":
            continue
        for argument in directive.arguments or ():
            if argument.name.value == "requires" and isinstance(argument.value, StringValueNode):
                [operation] = parse(f"{{ {argument.value.value} }}").definitions
                assert isinstance(operation, OperationDefinitionNode)
                selections = operation.selection_set.selections
                names += [s.name.value for s in selections if isinstance(s, FieldNode)]
    return names


def _call(
    name: str, field: GraphQLField, values: dict[str, Any]
) -> tuple[str, str, dict[str, Any]]:
    """The variable declarations, the call of `name` with its selection (__typename of an
    object, nothing for a scalar), and the variables: `values`, made up for the other
    required arguments."""
    variables = {
        arg: values[arg] if arg in values else made_up(a.type)
        for arg, a in field.args.items()
        if arg in values or isinstance(a.type, GraphQLNonNull)
    }
    declared = ", ".join(f"${arg}: {field.args[arg].type}" for arg in variables)
    passed = ", ".join(f"{arg}: ${arg}" for arg in variables)
    result = get_named_type(field.type)
    selection = (
        "" if isinstance(result, (GraphQLScalarType, GraphQLEnumType)) else " { __typename }"
    )
    return declared, (f"{name}({passed})" if passed else name) + selection, variables


def made_up(type_: GraphQLInputType) -> Any:
    if isinstance(type_, GraphQLNonNull):
        return made_up(type_.of_type)
    if isinstance(type_, GraphQLList):
        return [made_up(type_.of_type)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        return {
            name: made_up(field.type)
            for name, field in type_.fields.items()
            if isinstance(field.type, GraphQLNonNull)
        }
    return {"Int": 1, "Float": 1.0, "Boolean": True}.get(type_.name, "x")  # type: ignore[union-attr]
