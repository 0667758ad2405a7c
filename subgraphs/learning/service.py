"""Learning rules: enrolment, progress, assessments, certificates, achievements, paths.

Every command runs in one learner transaction (see journal/log.py): it reads the
learner's state under their lock, appends events (projected on the spot) and
commits; the platform hears about it only after the commit.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from ..common.auth import Viewer
from ..common.clock import utcnow
from ..common.errors import BadUserInput, Conflict, NotFound
from . import events as ev
from .courses import CourseCatalog, CourseOutline, CourseStanding, standing
from .domain import (
    Answer,
    AssessmentContent,
    AttemptRules,
    LearnerFacts,
    QuestionDraft,
    check_score,
    earned,
    graded,
    score,
)
from .events import Announcer
from .inputs import check_id
from .journal.log import Clock, Journal, LearnerLog, new_id
from .journal.projections import COMPLETED
from .roadmaps import RoadmapCatalog
from .skills import SkillChecker
from .store import LearningStore
from .tables import AssessmentRow, AttemptRow, PathRow, ProgressRow

VERIFICATION_CODE_BYTES = 24  # 192 bits: unguessable
NO_LIMITS = AttemptRules()


class LearningService:
    def __init__(
        self,
        journal: Journal,
        store: LearningStore,
        roadmaps: RoadmapCatalog,
        skills: SkillChecker,
        announcer: Announcer,
        courses: CourseCatalog,
        clock: Clock = utcnow,
    ) -> None:
        self.journal = journal
        self.store = store
        self.roadmaps = roadmaps
        self.skills = skills
        self.announcer = announcer
        self.courses = courses
        self.clock = clock

    @asynccontextmanager
    async def _command(self, viewer: Viewer) -> AsyncIterator[LearnerLog]:
        """The viewer's learner transaction, announced to the platform once committed."""
        async with self.journal.learner(viewer.user_id) as learner:
            yield learner
        await self.announcer.announce(learner.recorded, learner.progress_changes)

    # ------------------------------------------------------------ progress
    async def enroll(self, viewer: Viewer, skill_id: str) -> ProgressRow:
        skill_id = check_id(skill_id, "skillId")
        await self.skills.require_existing([skill_id])
        async with self._command(viewer) as learner:
            progress = await self._enrolled(learner, skill_id)
        return progress

    async def record_progress(self, viewer: Viewer, skill_id: str, percent: float) -> ProgressRow:
        """Moves progress forward only (a lower percent changes nothing); 100 completes."""
        skill_id = check_id(skill_id, "skillId")
        percent = check_score(percent, "percent")
        await self.skills.require_existing([skill_id])
        async with self._command(viewer) as learner:
            progress = await self._enrolled(learner, skill_id)
            if percent > progress.percent:
                await learner.record(
                    ev.PROGRESS_RECORDED,
                    {"progressId": progress.id, "skillId": skill_id, "percent": percent},
                )
                if percent >= 100:
                    await self._complete(learner, skill_id)
                await self._unlock_achievements(learner)
                progress = await self._current(learner, skill_id)
        return progress

    async def _enrolled(self, learner: LearnerLog, skill_id: str) -> ProgressRow:
        progress = await learner.progress(skill_id)
        if progress is None:
            await learner.record(ev.ENROLLED, {"progressId": new_id(), "skillId": skill_id})
            progress = await self._current(learner, skill_id)
        return progress

    async def _complete(self, learner: LearnerLog, skill_id: str) -> None:
        progress = await self._enrolled(learner, skill_id)
        if progress.percent < 100:
            await learner.record(
                ev.PROGRESS_RECORDED,
                {"progressId": progress.id, "skillId": skill_id, "percent": 100.0},
            )
        if progress.status != COMPLETED:
            await learner.record(
                ev.SKILL_COMPLETED, {"progressId": progress.id, "skillId": skill_id}
            )

    async def _current(self, learner: LearnerLog, skill_id: str) -> ProgressRow:
        progress = await learner.progress(skill_id)
        assert progress is not None
        return progress

    # ------------------------------------------------------------ courses
    async def mark_lesson(
        self, viewer: Viewer, course_id: str, lesson_id: str, *, done: bool
    ) -> CourseStanding:
        """Marks a lesson of a published course done, or undoes the mark; the same mark again
        changes nothing. A mark that leaves no lesson of the course undone completes the
        course, once, ever (an undo later does not take it back)."""
        outline, lesson_id = await self._lesson_of(course_id, lesson_id)
        async with self._command(viewer) as learner:
            marks = await learner.lessons_done(outline.id)
            if (lesson_id in marks) != done:
                kind = ev.LESSON_DONE if done else ev.LESSON_UNDONE
                await learner.record(kind, {"courseId": outline.id, "lessonId": lesson_id})
                marks = await learner.lessons_done(outline.id)
            progress = await learner.course_progress(outline.id)
            completed = progress is not None and progress.completed_at is not None
            if done and not completed and outline.completed_by(set(marks)):
                await self._complete_course(learner, outline)
                progress = await learner.course_progress(outline.id)
        return standing(viewer.user_id, outline, marks, progress)

    async def _complete_course(self, learner: LearnerLog, outline: CourseOutline) -> None:
        await learner.record(
            ev.COURSE_COMPLETED,
            {
                "courseId": outline.id,
                "courseVersion": outline.version,
                "slug": outline.slug,
                "title": outline.title,
                "lessons": len(outline.lessons),
            },
        )
        await self._unlock_achievements(learner)

    async def standings(
        self, pairs: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], CourseStanding | None]:
        """(user id, course id) -> the learner's standing, for courses published now."""
        outlines = await self.courses.outlines(sorted({course_id for _, course_id in pairs}))
        wanted = [pair for pair in pairs if pair[1] in outlines]
        if not wanted:
            return {}
        progress = {
            (row.user_id, row.course_id): row
            for row in await self.store.course_progress_by_pairs(wanted)
        }
        done = await self.store.lessons_done_by_pairs(wanted)
        return {
            pair: standing(pair[0], outlines[pair[1]], done.get(pair, {}), progress.get(pair))
            for pair in wanted
        }

    async def _lesson_of(self, course_id: str, lesson_id: str) -> tuple[CourseOutline, str]:
        """The published course and one of its lessons, or NOT_FOUND / BAD_USER_INPUT."""
        course_id = check_id(course_id, "courseId")
        lesson_id = check_id(lesson_id, "lessonId")
        outline = await self.courses.outline(course_id)
        if outline is None:  # unknown, or not published: learners cannot see it
            raise NotFound("Course", course_id)
        if not outline.has_lesson(lesson_id):
            raise BadUserInput("lessonId", f"course {course_id} has no lesson {lesson_id}")
        return outline, lesson_id

    # ------------------------------------------------------------ learning paths
    async def follow_roadmap(self, viewer: Viewer, roadmap_id: str) -> PathRow:
        roadmap_id = check_id(roadmap_id, "roadmapId")
        skill_ids = await self.roadmaps.skill_ids(roadmap_id)
        if skill_ids is None:
            raise NotFound("Roadmap", roadmap_id)
        async with self._command(viewer) as learner:
            path = next((p for p in await learner.paths() if p.roadmap_id == roadmap_id), None)
            if path is None:
                await learner.record(
                    ev.ROADMAP_FOLLOWED,
                    {"learningPathId": new_id(), "roadmapId": roadmap_id, "skillIds": skill_ids},
                )
                await self._unlock_achievements(learner)
                path = next(p for p in await learner.paths() if p.roadmap_id == roadmap_id)
        return path

    # ------------------------------------------------------------ assessments
    async def create_assessment(
        self,
        editor: Viewer,
        skill_id: str,
        title: str,
        passing_score: float,
        questions: Sequence[QuestionDraft],
        rules: AttemptRules = NO_LIMITS,
    ) -> AssessmentRow:
        content = AssessmentContent.checked(title, passing_score, questions, rules)
        row = AssessmentRow(
            id=new_id(),
            skill_id=check_id(skill_id, "skillId"),
            **content.columns(),
            created_by=editor.user_id,
            created_at=self.clock(),
            version=1,
        )
        await self.skills.require_existing([row.skill_id])
        return await self.store.add_assessment(row)

    async def update_assessment(
        self,
        editor: Viewer,
        assessment_id: str,
        title: str,
        passing_score: float,
        questions: Sequence[QuestionDraft],
        rules: AttemptRules,
    ) -> AssessmentRow:
        """A new version; attempts already started keep being scored on theirs."""
        content = AssessmentContent.checked(title, passing_score, questions, rules)
        current = await self._assessment(assessment_id)
        revised = await self.store.revise_assessment(
            current.id, current.version, content.columns(), editor.user_id, self.clock()
        )
        if revised is None:
            raise Conflict("The assessment was changed at the same time; reload and try again")
        return revised

    async def retire_assessment(self, editor: Viewer, assessment_id: str) -> AssessmentRow:
        """No new attempts; attempts already started may still be submitted."""
        current = await self._assessment(assessment_id)
        retired = await self.store.retire_assessment(current.id, self.clock())
        assert retired is not None  # assessments are never deleted
        return retired

    async def _assessment(self, assessment_id: str) -> AssessmentRow:
        found = await self.store.assessment(str(assessment_id))
        if found is None:
            raise NotFound("Assessment", assessment_id)
        return found

    async def start_assessment(self, viewer: Viewer, assessment_id: str) -> AttemptRow:
        """A new attempt on the current version, within the editor's limit and cooldown."""
        assessment = await self._assessment(assessment_id)
        await self.skills.require_existing([assessment.skill_id])  # its skill may be deleted
        attempt_id = new_id()
        async with self._command(viewer) as learner:
            current = await learner.assessment(assessment.id)
            assert current is not None
            if current.retired_at is not None:
                raise Conflict("This assessment is retired")
            rules = AttemptRules(current.max_attempts, current.cooldown_seconds)
            refusal = rules.refusal(await learner.attempt_starts(current.id), self.clock())
            if refusal is not None:
                raise refusal
            await learner.record(
                ev.ASSESSMENT_STARTED,
                {
                    "attemptId": attempt_id,
                    "assessmentId": current.id,
                    "skillId": current.skill_id,
                    "version": current.version,
                },
            )
            attempt = await learner.attempt(attempt_id)
        assert attempt is not None
        return attempt

    async def submit_assessment(
        self, viewer: Viewer, attempt_id: str, answers: Sequence[Answer]
    ) -> AttemptRow:
        """Scores the attempt once, on the version it was started on; a pass completes the
        skill and issues the one certificate."""
        async with self._command(viewer) as learner:
            attempt = await learner.attempt(str(attempt_id))
            if attempt is None:
                raise NotFound("AssessmentAttempt", attempt_id)
            if attempt.submitted_at is not None:
                raise Conflict("This attempt was already submitted")
            passing_score, questions = await learner.questions_of(attempt)
            result = score(questions, answers)
            passed = result >= passing_score
            marks = graded(questions, answers)
            await learner.record(
                ev.ASSESSMENT_SUBMITTED,
                {
                    "attemptId": attempt.id,
                    "assessmentId": attempt.assessment_id,
                    "skillId": attempt.skill_id,
                    "answers": [
                        {"questionId": a.question_id, "choiceIndexes": list(a.choice_indexes)}
                        for a in answers
                    ],
                    "score": result,
                    "passed": passed,
                    # Per question, for the analytics (questions most often missed).
                    "missed": [question for question, right in marks.items() if not right],
                    "questions": list(marks),
                },
            )
            if passed:
                await self._complete(learner, attempt.skill_id)
                await self._issue_certificate(learner, attempt.skill_id)
                await self._unlock_achievements(learner)
            attempt = await learner.attempt(attempt.id)
        assert attempt is not None
        return attempt

    async def _issue_certificate(self, learner: LearnerLog, skill_id: str) -> None:
        if await learner.has_certificate(skill_id):
            return
        await learner.record(
            ev.CERTIFICATE_ISSUED,
            {
                "certificateId": new_id(),
                "skillId": skill_id,
                "verificationCode": secrets.token_urlsafe(VERIFICATION_CODE_BYTES),
            },
        )

    # ------------------------------------------------------------ achievements
    async def _unlock_achievements(self, learner: LearnerLog) -> None:
        stats = await learner.stats()
        paths = await learner.paths()
        facts = LearnerFacts(
            skills_completed=stats.skills_completed if stats else 0,
            certificates=stats.certificates if stats else 0,
            streak_days=stats.streak_days if stats else 0,
            roadmap_completed=any(p.skill_ids and p.next_skill_id is None for p in paths),
            courses_completed=stats.courses_completed if stats else 0,
        )
        unlocked = await learner.achievement_codes()
        for code in earned(facts):
            if code not in unlocked:
                await learner.record(
                    ev.ACHIEVEMENT_UNLOCKED, {"achievementId": new_id(), "code": code}
                )

    # ------------------------------------------------------------ skills deleted elsewhere
    async def skill_deleted(self, skill_id: str) -> None:
        """Learning paths through the skill skip it from now on; the event log stays as it is."""
        for user_id in await self.store.users_with_path_through(skill_id):
            async with self.journal.learner(user_id) as learner:
                await learner.refresh_paths()

    # ------------------------------------------------------------ maintenance
    async def rebuild_projections(self) -> int:
        return await self.journal.rebuild_projections()
