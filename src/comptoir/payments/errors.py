"""The payments block's own refusals (operator tools and pages), as problem types."""

from __future__ import annotations

from comptoir.kernel.errors import problem_type
from comptoir.kernel.i18n import N_

PARTICIPANT_EXISTS = problem_type(
    "payments-participant-exists",
    409,
    N_("This participant is already registered"),
    N_("A participant with this id is already connected to the switch."),
)
PARTICIPANT_UNKNOWN = problem_type(
    "payments-participant-unknown",
    404,
    N_("No such participant"),
    N_("No bank, wallet or credit union with this id is connected to the switch."),
)
PARTICIPANT_INVALID = problem_type(
    "payments-participant-invalid",
    422,
    N_("The participant's details are not valid"),
    N_("An id, a callback address, a key set or an amount is not acceptable."),
)
LEDGER_REFUSED = problem_type(
    "payments-ledger-refused",
    409,
    N_("The ledger refused the movement"),
    N_("The amount would break a limit: a net debit cap or a balance that must stay positive."),
)
WINDOW_UNKNOWN = problem_type(
    "payments-window-unknown",
    404,
    N_("No such settlement window"),
    N_("No settlement window has this id."),
)
WINDOW_STATE = problem_type(
    "payments-window-state",
    409,
    N_("The settlement window is not in the right state"),
    N_("Windows go from open to closed to pending settlement to settled, one step at a time."),
)
