"""`a2pctl init`: the customer file's fields asked one at a time, each answer
checked as it is given, the whole file checked at the end.

The questions come from `fields` (the models): each shows its field path, what it
means, its rule and an example. `ask` (given by the CLI) returns one answer as
typed; an empty answer takes the default, or leaves an optional field out. A
wrong answer is explained (`tell`) and asked again. Fields that only some answers
need are asked only then (stock fields for public companies, a new service's name
when no existing one is reused, a reply message once its keywords are given). At
the end the file's cross-field rules run; every field they object to is asked
again. Nothing here reads or writes anything itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from a2pctl.spec import fields
from a2pctl.spec import rules as r
from a2pctl.spec.customer import check_data
from a2pctl.spec.fields import FieldSpec

Path = tuple[str | int, ...]

# What most ISV customers answer: offered as the default.
SUGGESTED: dict[str, str | bool] = {
    "business.business_registration_identifier": "EIN",
    "business.business_regions_of_operation": "USA_AND_CANADA",
    "business.business_identity": "direct_customer",
    "address.iso_country": "US",
    "campaign.has_embedded_links": False,
    "campaign.has_embedded_phone": False,
}
YES = frozenset({"y", "yes", "true"})
NO = frozenset({"n", "no", "false"})
MAX_ROUNDS = 20  # whole-file checks; each asks again only what it objects to


@dataclass(frozen=True)
class Question:
    path: Path  # concrete: ("authorized_representatives", 1, "email")
    spec: FieldSpec
    required: bool
    default: str | None  # what an empty answer means, as shown

    @property
    def label(self) -> str:
        return fields.dotted(self.path)

    @property
    def explanation(self) -> str:
        parts = [self.spec.description] if self.spec.description else []
        parts.append(f"Rule: {self.spec.rule}.")
        if self.spec.example:
            parts.append(f"Example: {self.spec.example}")
        if not self.required and self.default is None:
            parts.append("(optional: press Enter to leave it out)")
        return " ".join(parts)


Ask = Callable[[Question], str]
Tell = Callable[[str], None]


class Interview:
    """The questions of one file. A unit is asked as a whole: a field, a list of
    values (each item a question), or a list of mappings (each item's fields)."""

    def __init__(self, flow: str, ask: Ask, tell: Tell) -> None:
        self.flow = flow
        self.ask = ask
        self.tell = tell
        self.data: dict[str, Any] = {"flow": flow}
        self.specs = [f for f in fields.for_flow(flow) if f.template != "flow"]

    # --- the whole file -----------------------------------------------------------
    def run(self) -> dict[str, Any]:
        section = ""
        for unit in self._units():
            if unit[0].section != section:
                section = unit[0].section
                known = fields.sections().get(section)
                if known is not None:
                    self.tell(f"\n# {section}: {known.doc}")
            self._unit(unit)
        for _ in range(MAX_ROUNDS):
            _, errors, _ = check_data(self.data)
            if not errors:
                break
            self.tell("\nThe file as a whole breaks these rules; please answer again:")
            for path, message in errors:
                self.tell(f"  {fields.dotted(path) or '(file)'}: {message}")
            for path in dict.fromkeys(path for path, _ in errors):
                self._again(path)
        return self.data

    def _units(self) -> list[list[FieldSpec]]:
        units: list[list[FieldSpec]] = []
        for spec in self.specs:
            nested = fields.INDEX in spec.keys[:-1]
            if nested and units and units[-1][0].keys[0] == spec.keys[0]:
                units[-1].append(spec)  # the next field of the same list of mappings
            else:
                units.append([spec])
        return units

    def _unit(self, unit: list[FieldSpec]) -> None:
        spec = unit[0]
        if fields.INDEX in spec.keys[:-1]:
            self._mappings(unit)
        elif not self._relevant(spec):
            _drop(self.data, _head(spec))
        elif spec.keys[-1] == fields.INDEX:
            self._list(spec)
        else:
            self._leaf(spec, tuple(spec.keys))

    def _again(self, path: Path) -> None:
        """Ask again what an error at `path` concerns."""
        template = fields.template_of(path)
        for unit in self._units():
            spec = unit[0]
            if spec.template == template and fields.INDEX not in spec.keys:
                self._leaf(spec, path)
                return
            if fields.INDEX in spec.keys[:-1] and len(path) > 2 and isinstance(path[1], int):
                leaf = next((s for s in unit if s.template == template), None)
                if leaf is not None:
                    self._leaf(leaf, path)
                    return
        units = [u for u in self._units() if _within(u[0], template)]
        if not units and len(path) > 1:
            self._again(path[:-1])
        for unit in units:
            self._unit(unit)

    # --- asking ---------------------------------------------------------------------
    def _leaf(self, spec: FieldSpec, path: Path) -> None:
        question = Question(path, spec, self._required(spec), self._default(spec))
        value = self._answer(question)
        if value is None:
            _drop(self.data, path)
        else:
            _set_at(self.data, path, value)

    def _list(self, spec: FieldSpec) -> None:
        least, most = spec.lists[-1]
        if not self._required(spec):
            least = 0  # an optional list: none at all is said by leaving it out
        head = _head(spec)
        items: list[Any] = []
        while most is None or len(items) < most:
            question = Question((*head, len(items)), spec, len(items) < max(least, 0), None)
            answer = self._answer(question)
            if answer is None:
                break
            items.append(answer)
        if items:
            _set_at(self.data, head, items)
        else:
            _drop(self.data, head)

    def _mappings(self, unit: list[FieldSpec]) -> None:
        """A list of mappings: each item's fields; past the least, an empty first
        field ends the list."""
        head = _head(unit[0])
        least, most = unit[0].lists[0]
        _set_at(self.data, head, [])
        items: list[dict[str, Any]] = _get(self.data, head)
        while most is None or len(items) < most:
            index = len(items)
            if index:
                self.tell(f"\n# {fields.dotted(head)} {index + 1} (optional)")
            items.append({})
            for position, spec in enumerate(unit):
                path = (*head, index, spec.keys[-1])
                if position == 0 and index >= least:
                    answer = self._answer(Question(path, spec, False, None))
                    if answer is None:
                        items.pop()
                        return
                    items[index][spec.keys[-1]] = answer
                    continue
                self._leaf(spec, path)

    def _answer(self, question: Question) -> Any:
        return answer(question, self.ask, self.tell)

    # --- what depends on earlier answers ---------------------------------------------
    def _default(self, spec: FieldSpec) -> str | None:
        value = fields.default_for(spec, self.flow)
        if value is None:
            value = SUGGESTED.get(spec.template)
        if isinstance(value, bool):
            return "true" if value else "false"
        return value

    def _required(self, spec: FieldSpec) -> bool:
        template = spec.template
        if template == "isv.notification_email":
            return self.flow in r.STANDARD_FLOWS
        if template == "messaging_profile.brand_contact_email":
            return bool(_get(self.data, ("messaging_profile", "company_type")) == "public")
        # Asked only when they apply, and then needed: stock fields of a public company,
        # a new service's name, a reply message once its keywords are given.
        if template.startswith("messaging_profile.stock_"):
            return True
        if template == "messaging_service.friendly_name":
            return True
        return spec.required or (template.startswith("campaign.") and _reply(template) != "")

    def _relevant(self, spec: FieldSpec) -> bool:
        template, data = spec.template, self.data
        if template.startswith("messaging_profile.stock_"):
            return bool(_get(data, ("messaging_profile", "company_type")) == "public")
        if template.startswith("messaging_service.") and template != "messaging_service.sid":
            return _get(data, ("messaging_service", "sid")) is None
        kind = _reply(template)
        if kind:
            return _get(data, ("campaign", f"{kind}_keywords")) is not None
        return True


def answer(question: Question, ask: Ask, tell: Tell) -> Any:
    """One checked answer (None: left out), asked until it is right."""
    while True:
        raw = ask(question).strip()
        if not raw:
            if question.default is not None:
                raw = question.default
            elif not question.required:
                return None
            else:
                tell("  required: please answer")
                continue
        try:
            return _parsed(question.spec, raw)
        except ValueError as exc:
            tell(f"  {exc}")


def _reply(template: str) -> str:
    """opt_in / opt_out / help for a campaign's reply message field, else ""."""
    for kind in ("opt_in", "opt_out", "help"):
        if template == f"campaign.{kind}_message":
            return kind
    return ""


def _within(spec: FieldSpec, template: str) -> bool:
    return spec.template == template or spec.template.startswith(template + ".")


def _head(spec: FieldSpec) -> Path:
    keys = spec.keys
    return tuple(keys[: keys.index(fields.INDEX)] if fields.INDEX in keys else keys)


def interview(flow: str | None, ask: Ask, tell: Tell) -> dict[str, Any]:
    """A customer's data, asked field by field (the flow first, unless given)."""
    if flow is None:
        spec = fields.by_template()["flow"]
        tell(
            "Which registration flow? sole_proprietor: no tax ID (US/CA individuals); "
            "standard: a business with a tax ID; low_volume_standard: the same, sending little."
        )
        flow = str(answer(Question(("flow",), spec, True, None), ask, tell))
    return Interview(flow, ask, tell).run()


def _parsed(spec: FieldSpec, raw: str) -> Any:
    if spec.kind == "bool":
        word = raw.lower()
        if word not in YES | NO:
            raise ValueError("answer true or false (or yes / no)")
        return word in YES
    if spec.choices and raw not in spec.choices:
        folded = {c.casefold(): c for c in spec.choices}
        raw = folded.get(raw.casefold(), raw)
        r.one_of(spec.choices)(raw)
    spec.check(raw)
    return raw


def _get(data: Any, path: Path) -> Any:
    for key in path:
        if isinstance(data, dict):
            data = data.get(key)
        elif isinstance(data, list) and isinstance(key, int) and key < len(data):
            data = data[key]
        else:
            return None
    return data


def _set_at(data: dict[str, Any], path: Path, value: Any) -> None:
    node: Any = data
    for key in path[:-1]:
        node = node.setdefault(key, {}) if isinstance(node, dict) else node[key]
    if isinstance(node, list):
        node[int(path[-1])] = value
    else:
        node[path[-1]] = value


def _drop(data: dict[str, Any], path: Path) -> None:
    parent = _get(data, path[:-1]) if len(path) > 1 else data
    if isinstance(parent, dict):
        parent.pop(str(path[-1]), None)
        if len(path) > 1 and not parent:
            _drop(data, path[:-1])
