"""Public letter pages, the signing flow, and the coordinators' review pages."""

from __future__ import annotations

import json
from functools import wraps
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from treatywatch.campaigns import antispam, dedupe, exports, importing, services
from treatywatch.campaigns.forms import (
    DeliveryForm,
    ImportForm,
    SignatureEditForm,
    SignatureForm,
    country_choices,
)
from treatywatch.campaigns.models import DuplicateCandidate, Letter, Signature


def _language() -> str:
    return (translation.get_language() or "en").split("-")[0]


def _public_letter(slug: str) -> Letter:
    return get_object_or_404(Letter.objects.exclude(state=Letter.State.DRAFT), slug=slug)


def _treaty_asks(letter: Letter) -> list[dict[str, str]]:
    from treatywatch.knowledge.treaties import UnknownTreatyError, load_catalogue

    catalogue = load_catalogue()
    rows = []
    for item in letter.treaty_asks:
        try:
            title = catalogue.get(item["treaty"]).short_title
        except UnknownTreatyError:
            title = item["treaty"]
        rows.append({"slug": item["treaty"], "title": title, "ask": item.get("ask", "")})
    return rows


def _targets(letter: Letter) -> list[str]:
    from treatywatch.knowledge.participants import UnknownParticipantError, load_registry

    registry = load_registry()
    names = []
    for code in letter.target_states:
        try:
            names.append(registry.get(code).localized_name(_language()))
        except UnknownParticipantError:
            names.append(code)
    return names


# --- public pages -------------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    letters = Letter.objects.exclude(state=Letter.State.DRAFT).prefetch_related("texts")
    rows = [
        {"letter": letter, "text": letter.text_for(_language()), "count": services.listed(letter).count()}
        for letter in letters
    ]
    return render(
        request,
        "campaigns/index.html",
        {"rows": rows, "can_manage": services.coordinated_letters(request.user).exists()},
    )


def _detail_context(request: HttpRequest, letter: Letter, form: SignatureForm | None) -> dict[str, Any]:
    text = letter.text_for(_language())
    if form is None and letter.accepts_signatures:
        form = SignatureForm(
            allow_individuals=letter.allow_individuals,
            language=_language(),
            initial={"challenge": antispam.issue_challenge(letter.slug)},
        )
    body = text.body if text else ""
    asks = text.ask_list() if text else []
    country_names = dict(country_choices(_language()))
    organisations = list(services.listed(letter, Signature.Kind.ORGANISATION))
    for signature in organisations:
        signature.country_name = country_names.get(signature.country, signature.country)
    return {
        "letter": letter,
        "text": text,
        "form": form,
        "paragraphs": [
            {
                "lines": p.splitlines(),
                "is_list": all(ln.lstrip().startswith(("- ", "* ")) for ln in p.splitlines()),
            }
            for p in (text.paragraphs() if text else [])
        ],
        "asks": asks if any(a not in body for a in asks) else [],
        "organisations": organisations,
        "individuals": list(services.listed(letter, Signature.Kind.INDIVIDUAL)),
        "treaty_asks": _treaty_asks(letter),
        "targets": _targets(letter),
        "deliveries": list(letter.deliveries.all()),
        "pow_bits": services.settings_value("CAMPAIGNS_POW_BITS"),
        "honeypot": antispam.HONEYPOT_FIELD,
        "can_manage": services.coordinates(request.user, letter),
    }


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    letter = _public_letter(slug)
    return render(request, "campaigns/letter.html", _detail_context(request, letter, None))


@require_POST
def sign(request: HttpRequest, slug: str) -> HttpResponse:
    letter = _public_letter(slug)
    if not letter.accepts_signatures:
        messages.error(request, _("This letter is not open for signature."))
        return redirect("campaigns:detail", slug=slug)
    if antispam.over_rate_limit(request, "sign"):
        return render(
            request,
            "campaigns/message.html",
            {
                "letter": letter,
                "title": _("Too many submissions"),
                "message": _(
                    "Too many signatures were sent from your network address. Please try again later."
                ),
            },
            status=429,
        )
    form = SignatureForm(request.POST, allow_individuals=letter.allow_individuals, language=_language())
    if not form.is_valid():
        fresh = request.POST.copy()
        fresh["challenge"] = antispam.issue_challenge(letter.slug)  # a new form, a new challenge
        fresh["pow_nonce"] = ""
        form.data = fresh
        return render(request, "campaigns/letter.html", _detail_context(request, letter, form), status=400)
    try:
        passed = antispam.check(
            letter.slug,
            form.cleaned_data["challenge"],
            form.cleaned_data["pow_nonce"],
            request.POST.get(antispam.HONEYPOT_FIELD, ""),
        )
    except antispam.SpamCheckFailed as failure:
        reason = {
            "too fast": _("The form was sent too quickly. Please wait a few seconds and send it again."),
            "expired": _("The form expired. Please fill it in again."),
        }.get(failure.reason, _("The form could not be verified. Please reload the page and try again."))
        fresh = request.POST.copy()
        fresh["challenge"], fresh["pow_nonce"], fresh[antispam.HONEYPOT_FIELD] = (
            antispam.issue_challenge(letter.slug),
            "",
            "",
        )
        form = SignatureForm(fresh, allow_individuals=letter.allow_individuals, language=_language())
        form.is_valid()
        context = _detail_context(request, letter, form)
        context["spam_error"] = reason
        return render(request, "campaigns/letter.html", context, status=400)
    outcome = services.submit_signature(
        letter,
        form.signature_data(),
        key=services.submission_key(form.cleaned_data["challenge"]),
        anti_spam=passed,
    )
    if outcome.signature.status == Signature.Status.PENDING and (
        outcome.created or outcome.signature.confirmation_sent_at is None
    ):
        services.send_confirmation(outcome.signature, settings.SITE_URL)
    return redirect("campaigns:thanks", slug=slug)


@require_GET
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    letter = _public_letter(slug)
    # the same words whether the address is new, pending or already confirmed: nothing leaks
    return render(
        request,
        "campaigns/message.html",
        {
            "letter": letter,
            "title": _("Check your e-mail"),
            "message": _(
                "Thank you. We have sent a confirmation link to the contact address. "
                "The signature is listed once the link is followed (and if you agreed to be listed)."
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    letter = _public_letter(slug)
    try:
        signature = services.signature_for_token(letter, token)
    except services.BadToken as bad:
        message = (
            _("This confirmation link has expired. Please sign again to receive a new one.")
            if bad.reason == "expired"
            else _("This confirmation link is not valid.")
        )
        return render(
            request,
            "campaigns/message.html",
            {"letter": letter, "title": _("Confirmation failed"), "message": message},
            status=400,
        )
    if request.method == "POST":
        signature = services.confirm(signature)
        if signature.status == Signature.Status.CONFIRMED:
            messages.success(
                request,
                _("Thank you: the signature of %(name)s is confirmed.") % {"name": signature.display_name},
            )
        else:
            messages.info(request, _("Thank you: the signature is held for review by the coordinators."))
        return redirect(reverse("campaigns:detail", kwargs={"slug": slug}) + "#signatories")
    return render(request, "campaigns/confirm.html", {"letter": letter, "signature": signature})


@require_GET
def public_csv(request: HttpRequest, slug: str) -> HttpResponse:
    letter = _public_letter(slug)
    response = HttpResponse(exports.to_csv(letter), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{letter.slug}-signatories.csv"'
    return response


@require_GET
def public_osdi(request: HttpRequest, slug: str) -> HttpResponse:
    letter = _public_letter(slug)
    return JsonResponse(
        exports.to_osdi(letter, language=_language()), json_dumps_params={"ensure_ascii": False}
    )


@require_GET
def public_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    letter = _public_letter(slug)
    response = HttpResponse(exports.to_pdf(letter, language=_language()), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{letter.slug}.pdf"'
    return response


# --- coordinators -------------------------------------------------------------------------------


def coordinator_required(view: Any) -> Any:
    """Login, then a per-letter check: coordinating one letter gives no access to another."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        letter = get_object_or_404(Letter, slug=slug)
        if not services.coordinates(request.user, letter):
            raise PermissionDenied
        return view(request, letter, *args, **kwargs)

    return wrapped


@login_required
@require_GET
def manage_index(request: HttpRequest) -> HttpResponse:
    letters = services.coordinated_letters(request.user)
    return render(request, "campaigns/manage_index.html", {"letters": letters})


def _manage_context(letter: Letter, **extra: Any) -> dict[str, Any]:
    status = extra.pop("status_filter", "")
    signatures = letter.signatures.all().order_by("import_number", "name_key", "pk")
    if status:
        signatures = signatures.filter(status=status)
    candidates = letter.duplicate_candidates.filter(decision=DuplicateCandidate.Decision.OPEN).select_related(
        "first", "second"
    )
    counts = dict(letter.signatures.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    statuses = [(value, label, counts.get(value, 0)) for value, label in Signature.Status.choices]
    return {
        "letter": letter,
        "signatures": signatures,
        "candidates": candidates,
        "listed": services.listed(letter).count(),
        "statuses": statuses,
        "status_filter": status,
        "import_form": extra.pop("import_form", None) or ImportForm(),
        "delivery_form": extra.pop("delivery_form", None) or DeliveryForm(),
        **extra,
    }


@coordinator_required
@require_GET
def manage_letter(request: HttpRequest, letter: Letter) -> HttpResponse:
    return render(
        request,
        "campaigns/manage_letter.html",
        _manage_context(letter, status_filter=request.GET.get("status", "")),
    )


@coordinator_required
@require_POST
def manage_state(request: HttpRequest, letter: Letter) -> HttpResponse:
    action = request.POST.get("action", "")
    if action not in {"open", "close", "reopen"}:
        raise Http404
    try:
        services.change_state(letter, action)
        messages.success(request, _("Letter is now %(state)s.") % {"state": letter.get_state_display()})
    except services.TransitionError as error:
        messages.error(request, str(error))
    return redirect("campaigns:manage", slug=letter.slug)


@coordinator_required
@require_POST
def manage_delivery(request: HttpRequest, letter: Letter) -> HttpResponse:
    form = DeliveryForm(request.POST)
    if not form.is_valid():
        return render(
            request, "campaigns/manage_letter.html", _manage_context(letter, delivery_form=form), status=400
        )
    try:
        services.record_delivery(letter, user=request.user, **form.cleaned_data)
        messages.success(request, _("Delivery recorded."))
    except services.TransitionError as error:
        messages.error(request, str(error))
    return redirect("campaigns:manage", slug=letter.slug)


@coordinator_required
@require_POST
def manage_import(request: HttpRequest, letter: Letter) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(
            request, "campaigns/manage_letter.html", _manage_context(letter, import_form=form), status=400
        )
    upload = form.cleaned_data.get("file")
    try:
        if upload:
            raw = upload.read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise importing.ImportFileError(
                    f"{upload.name}: not UTF-8 text; save the list as UTF-8"
                ) from None
            parsed = importing.parse(text, name=Path(upload.name).name)
        else:
            parsed = importing.parse(form.cleaned_data["text"], name="pasted list")
        result = importing.apply(letter, parsed, dry_run=form.cleaned_data["dry_run"])
    except importing.ImportFileError as error:
        form.add_error(None, str(error))
        return render(
            request, "campaigns/manage_letter.html", _manage_context(letter, import_form=form), status=400
        )
    return render(
        request,
        "campaigns/manage_letter.html",
        _manage_context(letter, import_result=result, import_form=form),
    )


@coordinator_required
@require_POST
def manage_rescan(request: HttpRequest, letter: Letter) -> HttpResponse:
    made = services.rescan(letter)
    messages.success(request, _("%(n)d new possible duplicates.") % {"n": made})
    return redirect("campaigns:manage", slug=letter.slug)


@coordinator_required
@require_http_methods(["GET", "POST"])
def manage_signature(request: HttpRequest, letter: Letter, pk: int) -> HttpResponse:
    signature = get_object_or_404(Signature, letter=letter, pk=pk)
    form = SignatureEditForm(instance=signature)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "save":
                form = SignatureEditForm(request.POST, instance=signature)
                if form.is_valid():
                    edited = form.save(commit=False)
                    edited.name_key = dedupe.name_key(edited.display_name)
                    services.run_write(edited.save)
                    messages.success(request, _("Saved."))
                    return redirect("campaigns:manage-signature", slug=letter.slug, pk=pk)
            elif action in {"confirmed", "held", "rejected"}:
                services.set_status(signature, action)
                messages.success(request, _("Status changed."))
                return redirect("campaigns:manage-signature", slug=letter.slug, pk=pk)
            elif action == "merge":
                target = get_object_or_404(Signature, letter=letter, pk=request.POST.get("into"))
                services.merge(target, signature, request.user)
                messages.success(request, _("Merged into %(name)s.") % {"name": target.display_name})
                return redirect("campaigns:manage-signature", slug=letter.slug, pk=target.pk)
            else:
                raise Http404
        except services.TransitionError as error:
            messages.error(request, str(error))
    others = letter.signatures.exclude(pk=signature.pk).exclude(status=Signature.Status.MERGED)
    return render(
        request,
        "campaigns/manage_signature.html",
        {
            "letter": letter,
            "signature": signature,
            "form": form,
            "others": others,
            "history": signature.history.all()[:20],
        },
        status=400 if form.errors else 200,
    )


@coordinator_required
@require_POST
def manage_candidate(request: HttpRequest, letter: Letter, pk: int) -> HttpResponse:
    candidate = get_object_or_404(DuplicateCandidate, letter=letter, pk=pk)
    decision = request.POST.get("decision")
    if decision == "keep_first":
        services.merge(candidate.first, candidate.second, request.user)
    elif decision == "keep_second":
        services.merge(candidate.second, candidate.first, request.user)
    elif decision == "distinct":
        services.keep_apart(candidate, request.user)
    else:
        raise Http404
    messages.success(request, _("Decision recorded."))
    return redirect(reverse("campaigns:manage", kwargs={"slug": letter.slug}) + "#duplicates")


@coordinator_required
@require_GET
def manage_export(request: HttpRequest, letter: Letter, fmt: str) -> HttpResponse:
    if fmt not in {"csv", "json"}:
        raise Http404
    if fmt == "csv":
        response = HttpResponse(exports.to_csv(letter, private=True), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{letter.slug}-all-signatures.csv"'
        return response
    data = exports.to_osdi(letter, private=True, language=_language())
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=1), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{letter.slug}-osdi.json"'
    return response
