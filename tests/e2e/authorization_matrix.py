"""Every mutation of the committed supergraph, with the least role it needs.

tests/e2e/test_journeys.py tries each through the gateway as every caller below
that role; a mutation missing here (a new one) fails that test until declared.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
)

from tests.support.stack import REPO

PUBLIC, SIGNED_IN, EDITOR, ADMIN = "public", "signed in", "EDITOR", "ADMIN"

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
    "submitAssessment": SIGNED_IN,
    "markNotificationRead": SIGNED_IN,
    "markAllNotificationsRead": SIGNED_IN,
    "updateNotificationKindPreferences": SIGNED_IN,
    "registerPushSubscription": SIGNED_IN,
    "unregisterPushSubscription": SIGNED_IN,
    "registerSmsNumber": SIGNED_IN,
    "verifySmsNumber": SIGNED_IN,
    "changePassword": SIGNED_IN,
    "changeEmail": SIGNED_IN,
    "deleteAccount": SIGNED_IN,
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
    "setUserRoles": ADMIN,
    "disableUser": ADMIN,
    "enableUser": ADMIN,
}

# Who is refused what, and how: the callers below each role.
REFUSED = {
    SIGNED_IN: {"anonymous": "UNAUTHENTICATED"},
    EDITOR: {"anonymous": "UNAUTHENTICATED", "learner": "FORBIDDEN"},
    ADMIN: {"anonymous": "UNAUTHENTICATED", "learner": "FORBIDDEN", "editor": "FORBIDDEN"},
}


def supergraph() -> GraphQLSchema:
    return build_schema((REPO / "schema/supergraph.graphql").read_text())


def mutation_request(schema: GraphQLSchema, name: str) -> tuple[str, dict[str, Any]]:
    """`name` called with made-up values for its required arguments, selecting __typename
    (or nothing, for a scalar result)."""
    mutation = schema.mutation_type
    assert mutation is not None
    field = mutation.fields[name]
    required = {arg: a for arg, a in field.args.items() if isinstance(a.type, GraphQLNonNull)}
    declared = ", ".join(f"${arg}: {a.type}" for arg, a in required.items())
    passed = ", ".join(f"{arg}: ${arg}" for arg in required)
    result = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    while isinstance(result, (GraphQLList, GraphQLNonNull)):
        result = result.of_type
    selection = (
        "" if isinstance(result, (GraphQLScalarType, GraphQLEnumType)) else " { __typename }"
    )
    header = f"mutation ({declared})" if declared else "mutation"
    call = f"{name}({passed})" if passed else name
    variables = {arg: made_up(a.type) for arg, a in required.items()}
    return f"{header} {{ {call}{selection} }}", variables


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
