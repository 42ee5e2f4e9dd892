"""`treatywatch hosting`: who hosts refugees in a data year, and which hosts are party to the refugee treaties."""

from __future__ import annotations

import argparse

from treatywatch.cli.runtime import CliError, print_json, setup_django


def cmd_hosting(args: argparse.Namespace) -> int:
    setup_django()
    from treatywatch.protection import service
    from treatywatch.protection.data import ProtectionDataError

    try:
        report = service.hosting_report(args.year)
    except KeyError as error:
        raise CliError(str(error.args[0])) from None
    except ProtectionDataError as error:
        raise CliError(f"protection data rejected: {error}") from None
    if args.json:
        print_json(report)
        return 0

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1%}"

    year = report["year"]
    print(
        f"Refugees at the end of {year} (UNHCR data year {report['data_year']}): {report['refugees_total']:,}"
    )
    print(f"  hosted in a neighbouring country:       {pct(report['neighbouring_share'])}")
    lmic = pct(report["low_middle_income_share"])
    print(f"  hosted in low- and middle-income states: {lmic} ({report['income_rule']})")
    if report["unclassified_share"]:
        print(f"  hosted by states the World Bank left unclassified: {pct(report['unclassified_share'])}")
    for claim in report["claims"]:
        print(f'  letter: "{claim["claim"]}": {claim["verdict"]} ({claim["reason"]})')
    treaty = report["treaty"]
    if treaty:
        print(
            f"  in states party to the 1951 Convention or 1967 Protocol: {treaty['in_party_states']:,} "
            f"({pct(treaty['in_party_states_share'])}); in non-parties: {treaty['in_non_party_states']:,} "
            f"({pct(treaty['in_non_party_states_share'])}); territories/unknown: {treaty['not_assessed']:,}"
        )
        print("  largest non-party hosts:")
        for host in report["non_party_hosts"]:
            print(f"    {host['code']}  {host['name']}: {host['refugees']:,}")
    print(f"  {report['treaty_note']}")
    print("  sources: " + "; ".join(f"{s['publisher']} ({s['vintage']})" for s in report["sources"]))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "hosting",
        help="refugee hosting shares for a data year, joined to 1951 Convention / 1967 Protocol status",
        description="Share of refugees hosted in neighbouring and in low- and middle-income countries (UNHCR "
        "end-year data), and how many live in states party to the 1951 Convention or its 1967 Protocol.",
    )
    parser.add_argument("--year", type=int, default=None, help="UNHCR data year (default: latest)")
    parser.add_argument("--json", action="store_true", help="print the full answer as JSON")
    parser.set_defaults(handler=cmd_hosting)
