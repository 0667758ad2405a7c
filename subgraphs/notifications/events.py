"""The domain events this subgraph consumes, and what each one produces.

Every notification id is derived from the event id (and the recipient), and its
time is the event's time: a redelivered event produces identical notifications,
which the store writes only once.
"""

from __future__ import annotations

from ..common.events import Contract, Handlers, Received
from ..common.events.contracts import (
    AccountDeletionRequested,
    AchievementUnlocked,
    AnnouncementSent,
    CertificateIssued,
    ContentPublished,
    CourseCompleted,
    EmailChanged,
    EmailChangeRequested,
    EmailVerificationRequested,
    EmailVerified,
    PasswordChanged,
    PasswordResetRequested,
    PreferencesUpdated,
    ProgressUpdated,
    RolesChanged,
    SkillChanged,
    SkillCompleted,
    SkillCreated,
    SkillUpdated,
    UserEvent,
    UserRegistered,
)
from ..common.personal_data import PersonalData, erase_on_request
from ..common.sealed import unseal
from .directory import UserDirectory
from .domain import Notification, derived_id
from .notifier import Notifier

VERIFY_TITLE = "Verify your email address"


class NotificationEvents:
    def __init__(
        self,
        personal_data: PersonalData,
        notifier: Notifier,
        directory: UserDirectory,
        public_url: str,
        batch_size: int,
        mail_link_key: str,
    ) -> None:
        self.mail_link_key = mail_link_key
        self.personal_data = personal_data
        self.notifier = notifier
        self.directory = directory
        self.public_url = public_url.rstrip("/")
        self.batch_size = batch_size

    def handlers(self) -> Handlers:
        return (
            Handlers()
            .on(UserRegistered, self.user_registered)
            .on(EmailVerificationRequested, self.email_verification_requested)
            .on(PasswordResetRequested, self.password_reset_requested)
            .on(EmailChangeRequested, self.email_change_requested)
            .on(EmailChanged, self.email_changed)
            .on(PreferencesUpdated, self.user_changed)
            .on(RolesChanged, self.user_changed)
            .on(EmailVerified, self.user_changed)
            .on(PasswordChanged, self.user_changed)
            .on(SkillCreated, self.skill_changed)
            .on(SkillUpdated, self.skill_changed)
            .on(ProgressUpdated, self.progress_updated)
            .on(SkillCompleted, self.skill_completed)
            .on(CourseCompleted, self.course_completed)
            .on(AchievementUnlocked, self.achievement_unlocked)
            .on(CertificateIssued, self.certificate_issued)
            .on(ContentPublished, self.content_published)
            .on(AnnouncementSent, self.announcement_sent)
            .on(AccountDeletionRequested, erase_on_request(self.personal_data))
        )

    # ------------------------------------------------------------ accounts
    async def user_registered(self, event: Received[UserRegistered]) -> None:
        p = event.payload
        await self.directory.record_user(p, event.time)
        welcome = self._notification(
            event,
            p.user_id,
            "WELCOME",
            title=f"Welcome to Skill Circle, {p.display_name or 'there'}!",
            body="Pick a skill or follow a roadmap to start learning. "
            "We will let you know about your progress here.",
            link=self.public_url + "/",
        )
        await self.notifier.notify([welcome])
        await self._security_email(event, "verify_email", VERIFY_TITLE, p.sealed_link)

    async def email_verification_requested(
        self, event: Received[EmailVerificationRequested]
    ) -> None:
        await self.directory.record_user(event.payload, event.time)
        link = event.payload.sealed_link
        await self._security_email(event, "verify_email", VERIFY_TITLE, link)

    async def password_reset_requested(self, event: Received[PasswordResetRequested]) -> None:
        await self.directory.record_user(event.payload, event.time)
        link = event.payload.sealed_link
        await self._security_email(event, "reset_password", "Reset your password", link)

    async def email_change_requested(self, event: Received[EmailChangeRequested]) -> None:
        """The confirmation link goes to the new address, the only one that can prove itself."""
        await self.directory.record_user(event.payload, event.time)
        p = event.payload
        await self._security_email(
            event, "change_email", "Confirm your new email address", p.sealed_link, p.new_email
        )

    async def email_changed(self, event: Received[EmailChanged]) -> None:
        """The previous address is told, in case the change was not its owner's doing."""
        await self.directory.record_user(event.payload, event.time)
        p = event.payload
        title = "Your Skill Circle email address was changed"
        await self._security_email(
            event, "email_changed", title, None, p.previous_email, new_email=p.email
        )

    async def user_changed(self, event: Received[UserEvent]) -> None:
        await self.directory.record_user(event.payload, event.time)

    async def _security_email(
        self,
        event: Received[UserEvent],
        template: str,
        title: str,
        sealed_link: str | None,
        address: str | None = None,
        **context: str,
    ) -> None:
        """Opens the link users sealed for this service (InvalidToken: retried, then
        dead-lettered with the ciphertext only); mails the user's address or `address`."""
        p = event.payload
        to = address or p.email
        if not to:
            return
        link = unseal(self.mail_link_key, sealed_link) if sealed_link else None
        await self.notifier.send_security_email(
            derived_id(event.id, template),
            to,
            p.user_id,
            template,
            title=title,
            link=link,
            display_name=p.display_name,
            locale=p.preferences.locale,
            **context,
        )

    # ------------------------------------------------------------ learning
    async def skill_changed(self, event: Received[SkillChanged]) -> None:
        p = event.payload
        await self.directory.record_skill(p.skill_id, p.name, p.slug)

    async def progress_updated(self, event: Received[ProgressUpdated]) -> None:
        await self.directory.add_learner(event.payload.skill_id, event.payload.user_id)

    async def skill_completed(self, event: Received[SkillCompleted]) -> None:
        p = event.payload
        name, link = await self._skill(p.skill_id)
        completed = self._notification(
            event,
            p.user_id,
            "PROGRESS",
            title=f"You completed {name}",
            body=f"Well done: {name} is complete. Skills that build on it are now open to you.",
            link=link,
            params={"name": name},
        )
        await self.notifier.notify([completed])

    async def course_completed(self, event: Received[CourseCompleted]) -> None:
        """Like a completed skill: in the inbox, and by email/SMS/push as the user chose."""
        p = event.payload
        completed = self._notification(
            event,
            p.user_id,
            "PROGRESS",
            title=f"You completed {p.title}",
            body=f"Well done: you finished all {p.lessons} lessons of {p.title}.",
            link=f"{self.public_url}/courses/{p.slug}",
            params={"name": p.title},
        )
        await self.notifier.notify([completed])

    async def achievement_unlocked(self, event: Received[AchievementUnlocked]) -> None:
        p = event.payload
        unlocked = self._notification(
            event,
            p.user_id,
            "ACHIEVEMENT",
            title=f"Achievement unlocked: {p.title or p.code}",
            body=p.description,
            link=f"{self.public_url}/achievements",
            params={"achievement": p.title or p.code, "description": p.description},
        )
        await self.notifier.notify([unlocked])

    async def certificate_issued(self, event: Received[CertificateIssued]) -> None:
        p = event.payload
        name, _ = await self._skill(p.skill_id)
        code = p.verification_code
        issued = self._notification(
            event,
            p.user_id,
            "CERTIFICATE",
            title=f"Your certificate for {name} is ready",
            body=f"You earned a certificate for {name}. Its verification code is {code}.",
            link=f"{self.public_url}/certificates/{code}",
            params={"skill": name, "code": code},
        )
        await self.notifier.notify([issued])

    async def _skill(self, skill_id: str) -> tuple[str, str]:
        """A skill's name and page, from the skill events seen so far."""
        skill = await self.directory.skill(skill_id)
        if skill is None:
            return "a skill", f"{self.public_url}/skills/{skill_id}"
        return skill["name"], f"{self.public_url}/skills/{skill['slug']}"

    # ------------------------------------------------------------ content and announcements
    async def content_published(self, event: Received[ContentPublished]) -> None:
        p = event.payload
        learners = await self.directory.learners(p.skill_ids)
        notes = [
            self._notification(
                event,
                user_id,
                "CONTENT",
                title=f"New {p.kind}: {p.title}",
                body=f"A new {p.kind} on a skill you are learning was just published: {p.title}.",
                link=f"{self.public_url}/{p.kind}s/{p.slug}",
                params={"content_kind": p.kind, "content_title": p.title},
            )
            for user_id in learners
        ]
        await self.notifier.notify(notes)

    async def announcement_sent(self, event: Received[AnnouncementSent]) -> None:
        """Fans out in batches over the users known when the announcement was sent."""
        p = event.payload
        for offset in range(0, p.audience, self.batch_size):
            count = min(self.batch_size, p.audience - offset)
            notes = [
                self._notification(event, user_id, "ANNOUNCEMENT", p.title, p.body, p.link)
                for user_id in await self.directory.user_ids(offset, count)
            ]
            await self.notifier.notify(notes)

    def _notification(
        self,
        event: Received[Contract],
        user_id: str,
        kind: str,
        title: str,
        body: str,
        link: str | None,
        params: dict[str, str] | None = None,
    ) -> Notification:
        return Notification(
            id=derived_id(event.id, kind, user_id),
            user_id=user_id,
            kind=kind,
            title=title,
            body=body,
            link=link,
            created_at=event.time,
            params=params or {},
        )
