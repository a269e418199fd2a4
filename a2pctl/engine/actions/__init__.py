"""How each flow action is performed through the gateway, and found again: one
handler per action kind (`trusthub`, `messaging`), each returning a result
(`results`); `perform` picks the handler for a step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from a2pctl.engine.actions.messaging import (
    attach_number,
    brand_gate,
    check_usecase,
    create_brand,
    create_campaign,
    messaging_service,
    resolve_number,
)
from a2pctl.engine.actions.results import Ambiguous, Done, Fail, Result, Wait
from a2pctl.engine.actions.trusthub import (
    assign,
    check_submitted,
    create_address,
    create_bundle,
    create_document,
    create_end_user,
    evaluate,
    submit,
)
from a2pctl.flows.model import (
    Action,
    Assign,
    AttachNumber,
    BrandGate,
    CheckSubmitted,
    CheckUsecase,
    CreateAddress,
    CreateBrand,
    CreateBundle,
    CreateCampaign,
    CreateDocument,
    CreateEndUser,
    Evaluate,
    MessagingService,
    ResolveNumber,
    Step,
    Submit,
)

if TYPE_CHECKING:
    from a2pctl.engine.executor import Run

__all__ = ["HANDLERS", "Ambiguous", "Done", "Fail", "Result", "Wait", "perform"]

HANDLERS: dict[type, Callable[[Run, Step, Any], Result]] = {
    CreateBundle: create_bundle,
    CreateEndUser: create_end_user,
    CreateAddress: create_address,
    CreateDocument: create_document,
    Assign: assign,
    Evaluate: evaluate,
    Submit: submit,
    CheckSubmitted: check_submitted,
    CreateBrand: create_brand,
    MessagingService: messaging_service,
    BrandGate: brand_gate,
    CheckUsecase: check_usecase,
    CreateCampaign: create_campaign,
    ResolveNumber: resolve_number,
    AttachNumber: attach_number,
}


def perform(run: Run, step: Step) -> Result:
    action: Action = step.action
    return HANDLERS[type(action)](run, step, action)
