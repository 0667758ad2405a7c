"""The domain events this subgraph consumes, and what each one produces.

Every notification id is derived from the event id (and the recipient), and its
time is the event's time: a redelivered event produces identical notifications,
which the store writes only once.
"""

from __future__ import annotations

from ..common.events import Event, Handler
from .directory import UserDirectory
from .domain import Notification, derived_id
from .notifier import Notifier
from .service import ANNOUNCEMENT_EVENT

VERIFY_TITLE = "Verify your email address"
USER_EVENTS = (
    "user.preferences_updated",
    "user.roles_changed",
    "user.email_verified",
    "user.password_changed",
)


class NotificationEvents:
    def __init__(
        self, notifier: Notifier, directory: UserDirectory, public_url: str, batch_size: int
    ) -> None:
        self.notifier = notifier
        self.directory = directory
        self.public_url = public_url.rstrip("/")
        self.batch_size = batch_size

    def handlers(self) -> dict[str, Handler]:
        return {
            "user.registered": self.user_registered,
            "user.email_verification_requested": self.email_verification_requested,
            "user.password_reset_requested": self.password_reset_requested,
            **{name: self.user_changed for name in USER_EVENTS},
            "skill.created": self.skill_changed,
            "skill.updated": self.skill_changed,
            "progress.updated": self.progress_updated,
            "skill.completed": self.skill_completed,
            "achievement.unlocked": self.achievement_unlocked,
            "certificate.issued": self.certificate_issued,
            "content.published": self.content_published,
            ANNOUNCEMENT_EVENT: self.announcement_sent,
        }

    # ------------------------------------------------------------ accounts
    async def user_registered(self, event: Event) -> None:
        p = event.payload
        await self.directory.record_user(p, event.time)
        welcome = self._notification(
            event,
            str(p["userId"]),
            "WELCOME",
            title=f"Welcome to Skill Circle, {p.get('displayName') or 'there'}!",
            body="Pick a skill or follow a roadmap to start learning. "
            "We will let you know about your progress here.",
            link=self.public_url + "/",
        )
        await self.notifier.notify([welcome])
        await self._security_email(event, "verify_email", VERIFY_TITLE, "verificationUrl")

    async def email_verification_requested(self, event: Event) -> None:
        await self.directory.record_user(event.payload, event.time)
        await self._security_email(event, "verify_email", VERIFY_TITLE, "verificationUrl")

    async def password_reset_requested(self, event: Event) -> None:
        await self.directory.record_user(event.payload, event.time)
        await self._security_email(event, "reset_password", "Reset your password", "resetUrl")

    async def user_changed(self, event: Event) -> None:
        await self.directory.record_user(event.payload, event.time)

    async def _security_email(self, event: Event, template: str, title: str, link_key: str) -> None:
        p = event.payload
        if not p.get("email") or not p.get(link_key):
            return
        await self.notifier.send_security_email(
            derived_id(event.id, template),
            str(p["email"]),
            str(p["userId"]),
            template,
            title=title,
            link=str(p[link_key]),
            display_name=str(p.get("displayName") or ""),
        )

    # ------------------------------------------------------------ learning
    async def skill_changed(self, event: Event) -> None:
        p = event.payload
        await self.directory.record_skill(str(p["skillId"]), str(p["name"]), str(p["slug"]))

    async def progress_updated(self, event: Event) -> None:
        p = event.payload
        await self.directory.add_learner(str(p["skillId"]), str(p["userId"]))

    async def skill_completed(self, event: Event) -> None:
        p = event.payload
        name, link = await self._skill(str(p["skillId"]))
        completed = self._notification(
            event,
            str(p["userId"]),
            "PROGRESS",
            title=f"You completed {name}",
            body=f"Well done: {name} is complete. Skills that build on it are now open to you.",
            link=link,
        )
        await self.notifier.notify([completed])

    async def achievement_unlocked(self, event: Event) -> None:
        p = event.payload
        unlocked = self._notification(
            event,
            str(p["userId"]),
            "ACHIEVEMENT",
            title=f"Achievement unlocked: {p.get('title') or p.get('code')}",
            body=str(p.get("description") or ""),
            link=f"{self.public_url}/achievements",
        )
        await self.notifier.notify([unlocked])

    async def certificate_issued(self, event: Event) -> None:
        p = event.payload
        name, _ = await self._skill(str(p["skillId"]))
        code = p["verificationCode"]
        issued = self._notification(
            event,
            str(p["userId"]),
            "CERTIFICATE",
            title=f"Your certificate for {name} is ready",
            body=f"You earned a certificate for {name}. Its verification code is {code}.",
            link=f"{self.public_url}/certificates/{code}",
        )
        await self.notifier.notify([issued])

    async def _skill(self, skill_id: str) -> tuple[str, str]:
        """A skill's name and page, from the skill events seen so far."""
        skill = await self.directory.skill(skill_id)
        if skill is None:
            return "a skill", f"{self.public_url}/skills/{skill_id}"
        return skill["name"], f"{self.public_url}/skills/{skill['slug']}"

    # ------------------------------------------------------------ content and announcements
    async def content_published(self, event: Event) -> None:
        p = event.payload
        learners = await self.directory.learners([str(s) for s in p.get("skillIds") or []])
        kind = "course" if p.get("kind") == "course" else "article"
        notes = [
            self._notification(
                event,
                user_id,
                "CONTENT",
                title=f"New {kind}: {p['title']}",
                body=f"A new {kind} on a skill you are learning was just published: {p['title']}.",
                link=f"{self.public_url}/{kind}s/{p['slug']}",
            )
            for user_id in learners
        ]
        await self.notifier.notify(notes)

    async def announcement_sent(self, event: Event) -> None:
        """Fans out in batches over the users known when the announcement was sent."""
        p = event.payload
        audience = int(p.get("audience") or 0)
        for offset in range(0, audience, self.batch_size):
            count = min(self.batch_size, audience - offset)
            notes = [
                self._notification(
                    event, user_id, "ANNOUNCEMENT", str(p["title"]), str(p["body"]), p.get("link")
                )
                for user_id in await self.directory.user_ids(offset, count)
            ]
            await self.notifier.notify(notes)

    def _notification(
        self, event: Event, user_id: str, kind: str, title: str, body: str, link: str | None
    ) -> Notification:
        return Notification(
            id=derived_id(event.id, kind, user_id),
            user_id=user_id,
            kind=kind,
            title=title,
            body=body,
            link=link,
            created_at=event.time,
        )
