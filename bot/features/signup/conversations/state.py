"""The typed FSM data of the signup's conversations, and loading and saving it.

The data is stored as JSON (FSM storage in the database) under the same keys as before these
types existed. Loading tolerates what an older version saved: a missing key gets its default,
a value of the wrong type is ignored; loading never raises.

- `SignupData`: the signup flow (/aanmelden): the answers so far and the question being asked.
- `CoordinatorData`: a coordinator typing a question, a reason to decline, or who signed on paper.
- `ParentConsentData`: a parent deciding on a consent request (/start c-<token>).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiogram.fsm.context import FSMContext

from bot.features.signup.conversations.steps import PARENT_STEPS, STEPS, parse_step
from bot.features.signup.labels import Step


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass
class SignupData:
    """The signup flow's data. Nothing about the person is stored elsewhere before "Klopt"."""

    answers: dict[str, str] = field(default_factory=dict)
    """Step name -> answer, as checked by `steps.check_answer` (dates as ISO text)."""
    step: Step = Step.FIRST_NAME
    """The question asked last (a button of another question is refused)."""
    needs_consent: bool = False
    """Younger than the consent age: a parent must give permission (set by the birth date)."""
    age: int = 0
    """Age at signup (set by the birth date)."""
    cohort_id: int | None = None
    """The group of the invitation link the person came through, if any."""
    programme_id: int | None = None
    """The programme of that group (None: the default programme)."""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> SignupData:
        raw_answers = data.get("answers")
        answers = (
            {
                str(name): value
                for name, value in raw_answers.items()
                if parse_step(name) is not None and isinstance(value, str)
            }
            if isinstance(raw_answers, Mapping)
            else {}
        )
        return cls(
            answers=answers,
            step=parse_step(data.get("step")) or Step.FIRST_NAME,
            needs_consent=bool(data.get("needs_consent")),
            age=_int(data.get("age")) or 0,
            cohort_id=_int(data.get("cohort_id")),
            programme_id=_int(data.get("programme_id")),
        )

    def to_mapping(self) -> dict[str, Any]:
        return {
            "answers": {str(name): value for name, value in self.answers.items()},
            "step": self.step.value,
            "needs_consent": self.needs_consent,
            "age": self.age,
            "cohort_id": self.cohort_id,
            "programme_id": self.programme_id,
        }

    def active_steps(self) -> list[Step]:
        """The questions for this person: the parent's only when consent is needed."""
        return [s for s in STEPS if self.needs_consent or s not in PARENT_STEPS]

    def next_step(self) -> Step | None:
        """The first question not answered yet, or None when all are (then: the summary)."""
        return next((s for s in self.active_steps() if s not in self.answers), None)

    def previous_step(self, step: Step) -> Step:
        steps = self.active_steps()
        index = steps.index(step) if step in steps else 0
        return steps[max(index - 1, 0)]


async def load_signup(state: FSMContext) -> SignupData:
    return SignupData.from_mapping(await state.get_data())


async def save_signup(state: FSMContext, data: SignupData) -> None:
    """Store the flow's data (other keys in the FSM data are kept)."""
    await state.update_data(data.to_mapping())


async def start_signup(state: FSMContext, data: SignupData) -> None:
    """Start the flow with `data` only (whatever was in the FSM data before goes)."""
    await state.set_data(data.to_mapping())


@dataclass(frozen=True)
class CoordinatorData:
    """A coordinator's typed answer about one signup (asking, declining, paper consent)."""

    signup_id: int | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> CoordinatorData:
        return cls(signup_id=_int(data.get("signup_id")))


async def load_coordinator(state: FSMContext) -> CoordinatorData:
    return CoordinatorData.from_mapping(await state.get_data())


async def save_coordinator(state: FSMContext, data: CoordinatorData) -> None:
    await state.update_data(signup_id=data.signup_id)


@dataclass(frozen=True)
class ParentConsentData:
    """A parent deciding on the consent request behind one consent token."""

    consent_token_id: int | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ParentConsentData:
        return cls(consent_token_id=_int(data.get("consent_token_id")))


async def load_parent_consent(state: FSMContext) -> ParentConsentData:
    return ParentConsentData.from_mapping(await state.get_data())


async def save_parent_consent(state: FSMContext, data: ParentConsentData) -> None:
    await state.update_data(consent_token_id=data.consent_token_id)
