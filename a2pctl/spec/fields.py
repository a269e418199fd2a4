"""The customer file field by field: each leaf's dotted path, its type, its rule in
words, an example, and a check of one value on its own.

Read from the pydantic models (`models`), so the field paths are the schema
itself: what `init` asks, what each CSV column of `import`/`export` means, and the
order in which a written file lists its keys. A path template marks list
positions with `#` (`authorized_representatives.#.email`, `phone_numbers.#`);
a concrete path has the index there (`authorized_representatives.0.email`).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, TypeAdapter, ValidationError

from a2pctl.spec import checks
from a2pctl.spec import rules as r
from a2pctl.spec.models import Customer, Rule

INDEX = "#"  # a list position in a path template

Kind = Literal["text", "bool"]

# Examples for each field, from the example files (what a person would type).
EXAMPLES: dict[str, str] = {
    "name": "jane-doe-pottery",
    "account_sid": "AC0123456789abcdef0123456789abcdef",
    "isv.primary_customer_profile_sid": "BU3f9a2c7e5b1d4086a2e9c4f7b1d3e5a8",
    "isv.notification_email": "compliance@isv.example",
    "isv.status_callback": "https://isv.example/hooks/trusthub",
    "contact.first_name": "Jane",
    "contact.last_name": "Doe",
    "contact.email": "jane@janedoepottery.example",
    "contact.phone_number": "+14155550100",
    "sole_proprietor.brand_name": "Jane Doe Pottery",
    "sole_proprietor.mobile_phone_number": "+14155550101",
    "sole_proprietor.vertical": "RETAIL",
    "business.business_name": "Northwind Outfitters, Inc.",
    "business.business_type": "Corporation",
    "business.business_industry": "RETAIL",
    "business.business_registration_identifier": "EIN",
    "business.business_registration_number": "12-3456789",
    "business.business_regions_of_operation": "USA_AND_CANADA",
    "business.business_identity": "direct_customer",
    "business.website_url": "https://www.northwindoutfitters.example",
    "business.social_media_profile_urls": "https://social.example/northwindoutfitters",
    "authorized_representatives.#.first_name": "Ada",
    "authorized_representatives.#.last_name": "Ng",
    "authorized_representatives.#.email": "ada.ng@northwindoutfitters.example",
    "authorized_representatives.#.phone_number": "+12065550111",
    "authorized_representatives.#.business_title": "Chief Executive Officer",
    "authorized_representatives.#.job_position": "CEO",
    "messaging_profile.company_type": "private",
    "messaging_profile.stock_exchange": "NASDAQ",
    "messaging_profile.stock_ticker": "NWOF",
    "messaging_profile.brand_contact_email": "brand@northwindoutfitters.example",
    "address.customer_name": "Jane Doe",
    "address.street": "123 Main St",
    "address.street_secondary": "Studio B",
    "address.city": "Springfield",
    "address.region": "IL",
    "address.postal_code": "62701",
    "address.iso_country": "US",
    "messaging_service.sid": "MG0123456789abcdef0123456789abcdef",
    "messaging_service.friendly_name": "Jane Doe Pottery A2P",
    "messaging_service.inbound_request_url": "https://isv.example/sms/inbound",
    "messaging_service.fallback_url": "https://isv.example/sms/fallback",
    "campaign.description": "Jane Doe Pottery sends class reminders and order pickup notices "
    "by text to customers who asked for text updates when booking.",
    "campaign.message_flow": "Customers opt in on the booking form at "
    "https://janedoepottery.example/book by ticking an unchecked box.",
    "campaign.message_samples.#": "Jane Doe Pottery: your class starts tomorrow at [time]. "
    "Reply STOP to opt out.",
    "campaign.opt_in_keywords.#": "START",
    "campaign.opt_in_message": "Jane Doe Pottery: you are subscribed. Reply HELP for help, "
    "STOP to opt out.",
    "campaign.opt_out_keywords.#": "STOP",
    "campaign.opt_out_message": "Jane Doe Pottery: you are unsubscribed and will get no more "
    "messages.",
    "campaign.help_keywords.#": "HELP",
    "campaign.help_message": "Jane Doe Pottery: for help, email jane@janedoepottery.example.",
    "campaign.privacy_policy_url": "https://janedoepottery.example/privacy",
    "campaign.terms_and_conditions_url": "https://janedoepottery.example/terms",
    "phone_numbers.#": "+14155550123",
}
# The campaign use case each flow starts from (sole proprietors have exactly this one).
USECASE_DEFAULTS = {
    "sole_proprietor": r.SOLE_PROPRIETOR_USECASE,
    "low_volume_standard": r.LOW_VOLUME_USECASE,
}
# Fields a flow never sets: sole proprietors never skip vetting; LVS brands always do.
NOT_FOR_FLOW = {
    "sole_proprietor": frozenset({"brand.skip_automatic_sec_vet"}),
    "low_volume_standard": frozenset({"brand.skip_automatic_sec_vet"}),
}


@dataclass(frozen=True)
class FieldSpec:
    """One leaf of the customer file."""

    template: str  # dotted path, list positions as `#`
    kind: Kind
    required: bool  # required where its section (or list item) is given
    description: str | None
    rule: str  # the documented rule, in words
    choices: tuple[str, ...] = ()
    default: str | bool | None = None
    # (least, most) items of each list on the path, outermost first
    lists: tuple[tuple[int, int | None], ...] = ()
    example: str | None = None
    _check: Callable[[Any], Any] | None = field(default=None, compare=False, repr=False)

    @property
    def section(self) -> str:
        return self.template.split(".")[0]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.template.split("."))

    def check(self, value: Any) -> Any:
        """The value as the file keeps it (an EIN as 9 digits stays as given), or
        ValueError with the rule it breaks."""
        if self._check is None:
            return value
        return self._check(value)


@dataclass(frozen=True)
class Section:
    key: str
    doc: str  # what Twilio resource it becomes (the model's docstring)
    required: bool  # by the schema; the flow may require or refuse it too (`for_flow`)
    repeated: tuple[int, int | None] | None  # a list of items (authorized representatives)


@cache
def all_fields() -> tuple[FieldSpec, ...]:
    """Every leaf of the customer file, in the order the models declare them."""
    return tuple(_walk(Customer, (), ()))


@cache
def sections() -> dict[str, Section]:
    found: dict[str, Section] = {}
    for name, info in Customer.model_fields.items():
        shape = _shape(info.annotation)
        model = shape.model
        if model is None:
            continue
        found[name] = Section(
            name,
            (model.__doc__ or "").strip(),
            info.is_required(),
            shape.counts[0] if shape.counts else None,
        )
    return found


def for_flow(flow: str) -> tuple[FieldSpec, ...]:
    """The fields a file of this flow may have: the other flow's sections left out."""
    sole = flow == "sole_proprietor"
    refused = checks.STANDARD_SECTIONS if sole else checks.SOLE_PROPRIETOR_SECTIONS
    skip = NOT_FOR_FLOW.get(flow, frozenset())
    return tuple(f for f in all_fields() if f.section not in refused and f.template not in skip)


def section_needed(section: str, flow: str) -> bool:
    """Whether a file of this flow must have the section (by the schema or the flow)."""
    sole = flow == "sole_proprietor"
    need = checks.SOLE_PROPRIETOR_SECTIONS if sole else checks.STANDARD_SECTIONS
    known = sections().get(section)
    return section in need or (known is not None and known.required)


@cache
def by_template() -> dict[str, FieldSpec]:
    return {f.template: f for f in all_fields()}


def template_of(path: tuple[str | int, ...]) -> str:
    """("authorized_representatives", 0, "email") → authorized_representatives.#.email"""
    return ".".join(INDEX if isinstance(part, int) else part for part in path)


def dotted(path: tuple[str | int, ...]) -> str:
    """("campaign", "message_samples", 1) → campaign.message_samples.1 (a CSV column)."""
    return ".".join(str(part) for part in path)


def parse_dotted(text: str) -> tuple[str | int, ...]:
    """campaign.message_samples.1 → ("campaign", "message_samples", 1)."""
    return tuple(int(part) if part.isdigit() else part for part in text.split("."))


def default_for(spec: FieldSpec, flow: str) -> str | bool | None:
    if spec.template == "campaign.us_app_to_person_usecase":
        return USECASE_DEFAULTS.get(flow)
    if spec.template == "flow":
        return flow
    return spec.default


# --- reading the models ------------------------------------------------------------------


@dataclass(frozen=True)
class _Shape:
    """An annotation unwrapped: the model or scalar inside, the lists around it."""

    base: Any
    metadata: tuple[Any, ...]
    counts: tuple[tuple[int, int | None], ...]
    item: Any  # the annotation of one value (innermost list item, or the field itself)

    @property
    def model(self) -> type[BaseModel] | None:
        base = self.base
        return base if isinstance(base, type) and issubclass(base, BaseModel) else None


def _shape(annotation: Any, metadata: tuple[Any, ...] = ()) -> _Shape:
    counts: list[tuple[int, int | None]] = []
    item = Annotated[(annotation, *metadata)] if metadata else annotation
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            base, *extra = typing.get_args(annotation)
            metadata = (*metadata, *extra)
            annotation = base
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0]
            item = annotation
            continue
        if origin is list:
            counts.append(_counts(metadata))
            (annotation,) = typing.get_args(annotation)
            metadata = ()
            item = annotation
            continue
        return _Shape(annotation, metadata, tuple(counts), item)


def _counts(metadata: tuple[Any, ...]) -> tuple[int, int | None]:
    schema = _schema(metadata)
    return int(schema.get("minItems", 0)), schema.get("maxItems")


def _schema(metadata: tuple[Any, ...]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, Rule):
            merged.update(item.schema)
    return merged


def _walk(
    model: type[BaseModel], prefix: tuple[str, ...], lists: tuple[tuple[int, int | None], ...]
) -> list[FieldSpec]:
    found: list[FieldSpec] = []
    for name, info in model.model_fields.items():
        shape = _shape(info.annotation, tuple(info.metadata))
        counts = (*lists, *shape.counts)
        keys = (*prefix, name, *([INDEX] * len(shape.counts)))
        inner = shape.model
        if inner is not None:
            found += _walk(inner, keys, counts)
            continue
        template = ".".join(keys)
        choices: tuple[str, ...] = ()
        if typing.get_origin(shape.base) is Literal:
            choices = tuple(str(a) for a in typing.get_args(shape.base))
        schema = _schema(shape.metadata)
        choices = choices or tuple(schema.get("enum", ()))
        kind: Kind = "bool" if shape.base is bool else "text"
        default = info.default if isinstance(info.default, str | bool) else None
        found.append(
            FieldSpec(
                template=template,
                kind=kind,
                required=info.is_required(),
                description=info.description,
                rule=_rule(kind, schema, choices, shape.counts),
                choices=choices,
                default=default,
                lists=counts,
                example=EXAMPLES.get(template),
                _check=_checker(shape.item if shape.counts else info),
            )
        )
    return found


def _checker(source: Any) -> Callable[[Any], Any]:
    """A check of one value: the field's own type and rules (a list field: one item's)."""
    if hasattr(source, "annotation"):  # a FieldInfo
        annotation = source.annotation
        if source.metadata:
            annotation = Annotated[(annotation, *source.metadata)]
    else:
        annotation = source
    adapter: TypeAdapter[Any] = TypeAdapter(annotation)

    def check(value: Any) -> Any:
        try:
            adapter.validate_python(value, strict=True)
        except ValidationError as exc:
            error = exc.errors()[0]
            ctx = error.get("ctx") or {}
            message = str(ctx["error"]) if "error" in ctx else str(error["msg"])
            raise ValueError(message) from None
        return value

    return check


_PATTERNS = {
    r"^\+[0-9 ()-]+$": "a phone number in E.164 format",
    "^https?://": "an http(s) URL",
    "^[A-Z]{2}$": "a 2-letter ISO country code in capitals",
    "^[A-Za-z0-9]+$": "letters and digits only",
    "^[a-z0-9-]+$": "lowercase letters, digits and -",
}


def _rule(
    kind: Kind, schema: dict[str, Any], choices: tuple[str, ...], counts: tuple[Any, ...]
) -> str:
    parts: list[str] = []
    if kind == "bool":
        parts.append("true or false")
    elif choices:
        parts.append("one of " + ", ".join(choices))
    pattern = str(schema.get("pattern", ""))
    if schema.get("format") == "email":
        parts.append("an e-mail address")
    elif pattern in _PATTERNS:
        parts.append(_PATTERNS[pattern])
    elif pattern.startswith("^(\\+"):
        parts.append("a US number in E.164 format, or the number's PN… SID")
    elif pattern.endswith("{32}$") and pattern[1:3].isalpha():
        parts.append(f"a SID: {pattern[1:3]} and 32 hex digits")
    lo, hi = schema.get("minLength"), schema.get("maxLength")
    if hi is not None and lo not in (None, 0, 1):
        parts.append(f"{lo}–{hi} characters")
    elif hi is not None:
        parts.append(f"at most {hi} characters")
    elif lo not in (None, 0, 1):
        parts.append(f"at least {lo} characters")
    if counts:
        least, most = counts[-1]
        many = f"{least}–{most} items" if most is not None else "one item or more"
        parts.insert(0, f"a list of {many}")
    return "; ".join(parts) or "text"
