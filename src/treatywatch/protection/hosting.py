"""Who hosts refugees: the shares UNHCR publishes, recomputed for any year (pure: no Django, no I/O).

Method (docs/protection-method.md gives the evidence for each choice):
- "Refugees" is UNHCR's headline sense: refugees under UNHCR's mandate plus other people in need of
  international protection (``oip``); asylum-seekers and Palestine refugees under UNRWA are excluded.
- Neighbouring: the country of asylum shares a land border with the country of origin. People of
  unknown origin, stateless people and Tibetans have no country of origin in the data: they count in
  the total and never as hosted in a neighbouring country (this is what reproduces UNHCR's figures).
- Low- and middle-income: the World Bank classification in force on 31 December of the data year,
  i.e. fiscal year Y+1 (released 1 July of Y, based on GNI per capita of Y-1). Hosts the World Bank
  left unclassified count in the total, not in the share, and are reported.
- Developing regions (UNHCR's measure until Global Trends 2020): every host outside Europe, Northern
  America, Australia, New Zealand, Japan and Israel (the UNSD M49 grouping withdrawn in December 2021).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date

from treatywatch.protection.data import SPECIAL_HOSTS, SPECIAL_ORIGINS, Flow, ProtectionData

INCOME_LABELS = {
    "L": "low income",
    "LM": "lower-middle income",
    "UM": "upper-middle income",
    "H": "high income",
    None: "not classified",
}
LOW_AND_MIDDLE = frozenset({"L", "LM", "UM"})
DEVELOPED_OUTSIDE_EUROPE = frozenset({"AUS", "CAN", "ISR", "JPN", "NZL", "USA", "BMU", "GRL", "SPM"})


def fiscal_year_for(data_year: int) -> int:
    """World Bank fiscal year whose classification is in force at the end of ``data_year``."""
    return data_year + 1


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True, slots=True)
class Host:
    code: str
    name: str
    refugees: int  # refugees + oip
    income_group: str | None
    neighbouring: int  # of which from a neighbouring country of origin


@dataclass(frozen=True, slots=True)
class ClaimCheck:
    claim: str
    measure: str
    threshold: float
    value: float | None
    verdict: str  # "holds", "does not hold", "undetermined"
    reason: str


@dataclass(frozen=True, slots=True)
class IncomeSplit:
    fiscal_year: int
    available: bool
    by_group: dict[str, int]  # L, LM, UM, H, unclassified -> refugees hosted
    unclassified_hosts: list[Host]


@dataclass(frozen=True, slots=True)
class TreatySplit:
    """Refugees by the treaty status of their host on 31 December (1951 Convention or 1967 Protocol)."""

    at: date
    in_party_states: int
    in_non_party_states: int
    not_assessed: int  # territories (status follows the administering state) and unknown hosts
    largest_non_party_hosts: list[Host]


@dataclass(slots=True)
class HostingFigures:
    year: int
    refugees_total: int
    refugees_mandate: int
    oip: int
    asylum_seekers: int
    no_country_of_origin: dict[str, int]  # UNK / XXA / TIB -> refugees
    neighbouring: int
    neighbouring_share: float | None
    income: IncomeSplit
    low_middle_income: int | None
    low_middle_income_share: float | None
    unclassified_share: float | None
    developing_regions_share: float | None
    largest_hosts: list[Host]
    claims: list[ClaimCheck] = field(default_factory=list)
    treaty: TreatySplit | None = None

    @property
    def data_year(self) -> int:
        return self.year

    def as_json(self) -> dict:
        data = asdict(self)
        data["data_year"] = self.year
        data["income_fiscal_year"] = self.income.fiscal_year
        if self.treaty is not None:
            data["treaty"]["at"] = self.treaty.at.isoformat()
        return data


def _is_developed(code: str, data: ProtectionData) -> bool:
    return data.regions.get(code) == "Europe" or code in DEVELOPED_OUTSIDE_EUROPE


def is_neighbouring(flow: Flow, data: ProtectionData) -> bool:
    return flow.origin not in SPECIAL_ORIGINS and flow.host in data.neighbours.get(flow.origin, ())


def hosts_of(flows: Iterable[Flow], data: ProtectionData, groups: dict[str, str] | None) -> list[Host]:
    """Refugees per host, largest first."""
    totals: dict[str, int] = defaultdict(int)
    near: dict[str, int] = defaultdict(int)
    for flow in flows:
        if flow.in_need:
            totals[flow.host] += flow.in_need
            if is_neighbouring(flow, data):
                near[flow.host] += flow.in_need
    hosts = [
        Host(code, data.name(code), n, (groups or {}).get(code), near[code]) for code, n in totals.items()
    ]
    return sorted(hosts, key=lambda h: (-h.refugees, h.code))


def hosting_figures(data: ProtectionData, year: int, *, top: int = 10) -> HostingFigures:
    """The hosting shares for one end-year; raises KeyError for a year the data does not cover."""
    flows = data.flows[year]
    fy = fiscal_year_for(year)
    groups = data.income.get(fy)
    hosts = hosts_of(flows, data, groups)
    total = sum(h.refugees for h in hosts)
    neighbouring = sum(h.neighbouring for h in hosts)
    no_origin: dict[str, int] = defaultdict(int)
    for flow in flows:
        if flow.origin in SPECIAL_ORIGINS and flow.in_need:
            no_origin[flow.origin] += flow.in_need
    by_group: dict[str, int] = defaultdict(int)
    unclassified: list[Host] = []
    if groups is not None:
        for host in hosts:
            group = groups.get(host.code)
            by_group[group or "unclassified"] += host.refugees
            if group is None:
                unclassified.append(host)
    low_middle = sum(by_group[g] for g in LOW_AND_MIDDLE) if groups is not None else None
    developed = sum(h.refugees for h in hosts if _is_developed(h.code, data) or h.code in SPECIAL_HOSTS)
    figures = HostingFigures(
        year=year,
        refugees_total=total,
        refugees_mandate=sum(f.refugees for f in flows),
        oip=sum(f.oip for f in flows),
        asylum_seekers=sum(f.asylum_seekers for f in flows),
        no_country_of_origin=dict(no_origin),
        neighbouring=neighbouring,
        neighbouring_share=share(neighbouring, total),
        income=IncomeSplit(fy, groups is not None, dict(by_group), unclassified),
        low_middle_income=low_middle,
        low_middle_income_share=share(low_middle, total) if low_middle is not None else None,
        unclassified_share=share(by_group["unclassified"], total) if groups is not None else None,
        developing_regions_share=share(total - developed, total),
        largest_hosts=hosts[:top],
    )
    figures.claims = check_claims(figures)
    return figures


def all_years(data: ProtectionData) -> list[HostingFigures]:
    return [hosting_figures(data, year) for year in data.years]


# The open letter's two claims, as thresholds on the computed shares.
LETTER_CLAIMS = (
    ("over two-thirds of refugees are hosted in neighbouring states", "neighbouring_share", 2 / 3),
    ("nearly three-fourths are hosted in low- and middle-income states", "low_middle_income_share", 0.70),
)


def check_claims(figures: HostingFigures) -> list[ClaimCheck]:
    """Whether each claim of the letter holds on this year's data ("nearly three-fourths" read as >= 70%)."""
    checks = []
    for claim, measure, threshold in LETTER_CLAIMS:
        value = getattr(figures, measure)
        if value is None:
            verdict, reason = "undetermined", "no World Bank classification for this year"
        elif value > threshold or (measure == "low_middle_income_share" and value >= threshold):
            verdict, reason = "holds", f"{value:.1%} vs threshold {threshold:.1%}"
        elif measure == "low_middle_income_share" and value + (figures.unclassified_share or 0) >= threshold:
            verdict = "undetermined"
            reason = (
                f"{value:.1%} with {figures.unclassified_share:.1%} hosted by countries the World Bank "
                "left unclassified; the claim depends on them"
            )
        else:
            verdict, reason = "does not hold", f"{value:.1%} vs threshold {threshold:.1%}"
        checks.append(ClaimCheck(claim, measure, threshold, value, verdict, reason))
    return checks


def treaty_split(
    flows: Iterable[Flow],
    data: ProtectionData,
    at: date,
    is_party: Callable[[str], bool],
    *,
    top: int = 10,
) -> TreatySplit:
    """Split refugees by whether their host was party (on ``at``) to the 1951 Convention or 1967 Protocol.

    Territories are not assessed: their treaty coverage follows the administering state's territorial
    declarations, which the rules engine does not fold into a per-territory status.
    """
    hosts = hosts_of(flows, data, None)
    party = non_party = not_assessed = 0
    non_party_hosts = []
    for host in hosts:
        if host.code in SPECIAL_HOSTS or data.kinds.get(host.code) == "territory":
            not_assessed += host.refugees
        elif is_party(host.code):
            party += host.refugees
        else:
            non_party += host.refugees
            non_party_hosts.append(host)
    return TreatySplit(at, party, non_party, not_assessed, non_party_hosts[:top])


@dataclass(frozen=True, slots=True)
class StateYear:
    year: int
    hosted: int  # refugees + oip in the state
    asylum_seekers: int
    resettlement_arrivals: int
    from_state: int  # refugees + oip originating from the state, anywhere
    idps: int
    stateless: int


def state_series(data: ProtectionData, code: str) -> list[StateYear]:
    """Per year: people hosted and resettled in ``code``, and refugees from it (years with any figure)."""
    series = []
    for year in sorted(set(data.flows) | set(data.resettlement)):
        hosted = asylum = origin = idps = stateless = 0
        for flow in data.flows.get(year, ()):
            if flow.host == code:
                hosted += flow.in_need
                asylum += flow.asylum_seekers
                idps += flow.idps
                stateless += flow.stateless
            if flow.origin == code and flow.host != code:
                origin += flow.in_need
        resettled = sum(r.arrivals for r in data.resettlement.get(year, ()) if r.destination == code)
        if hosted or asylum or resettled or origin or idps or stateless:
            series.append(StateYear(year, hosted, asylum, resettled, origin, idps, stateless))
    return series
