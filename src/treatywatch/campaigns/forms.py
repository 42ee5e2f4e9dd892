"""Forms: the public signing form and the coordinators' forms."""

from __future__ import annotations

import functools
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from treatywatch.campaigns.antispam import HONEYPOT_FIELD
from treatywatch.campaigns.importing import clean_text
from treatywatch.campaigns.models import Delivery, Signature

COUNTRY_KINDS = {"un_member", "observer_state", "non_member_state", "territory"}


@functools.lru_cache(maxsize=4)
def country_choices(language: str) -> list[tuple[str, str]]:
    """Current states and territories from the participants table, named in the page's language."""
    from treatywatch.knowledge.participants import load_registry

    rows = [
        (p.code, p.localized_name(language))
        for p in load_registry()
        if p.kind in COUNTRY_KINDS and p.valid_to is None
    ]
    return [("", "—")] + sorted(rows, key=lambda r: r[1].casefold())


class CleanTextField(forms.CharField):
    """Single-line text with control characters removed; markup stays text (escaped when shown)."""

    def to_python(self, value: Any) -> str:
        return clean_text(super().to_python(value) or "")


class SignatureForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Signing as"),
        choices=Signature.Kind.choices,
        initial=Signature.Kind.ORGANISATION,
        widget=forms.RadioSelect,
    )
    organization = CleanTextField(label=_("Organisation name"), max_length=300, required=False)
    organization_type = forms.ChoiceField(
        label=_("Type of organisation"), required=False, choices=[("", "—"), *Signature.OrgType.choices]
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    website = forms.URLField(label=_("Website"), required=False, max_length=300, assume_scheme="https")
    given_name = CleanTextField(label=_("Contact given name"), max_length=150)
    family_name = CleanTextField(label=_("Contact family name"), max_length=150)
    email = forms.EmailField(
        label=_("Contact e-mail (never published; we send a confirmation link)"), max_length=254
    )
    on_behalf = forms.BooleanField(
        label=_("I am authorised to sign on behalf of this organisation"), required=False
    )
    consent_public = forms.BooleanField(label=_("List our name publicly as a signatory"), required=False)
    challenge = forms.CharField(widget=forms.HiddenInput, max_length=200)
    pow_nonce = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)

    def __init__(self, *args: Any, allow_individuals: bool, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices(language)
        self.allow_individuals = allow_individuals
        if not allow_individuals:
            self.fields["kind"].widget = forms.HiddenInput()
        # the honeypot: hidden by CSS and aria-hidden, not by type=hidden (bots skip those)
        self.fields[HONEYPOT_FIELD] = forms.CharField(
            required=False,
            label=_("Leave this field empty"),
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        if kind == Signature.Kind.INDIVIDUAL and not self.allow_individuals:
            raise forms.ValidationError(_("This letter is signed by organisations only."))
        if kind == Signature.Kind.ORGANISATION:
            if not data.get("organization"):
                self.add_error("organization", _("Please give the organisation's name."))
            if not data.get("on_behalf"):
                self.add_error("on_behalf", _("Please confirm you may sign for this organisation."))
        else:
            data["organization"] = ""
            data["organization_type"] = ""
            data["on_behalf"] = False
        return data

    def signature_data(self) -> dict[str, Any]:
        keys = (
            "kind",
            "organization",
            "organization_type",
            "country",
            "website",
            "given_name",
            "family_name",
            "email",
            "on_behalf",
            "consent_public",
        )
        return {k: self.cleaned_data[k] for k in keys}


def _https_urls(field: Any, **kwargs: Any) -> Any:
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class SignatureEditForm(forms.ModelForm):
    class Meta:
        formfield_callback = _https_urls
        model = Signature
        fields = [
            "kind",
            "organization",
            "organization_type",
            "given_name",
            "family_name",
            "email",
            "country",
            "website",
            "on_behalf",
            "consent_public",
        ]

    def clean_organization(self) -> str:
        return clean_text(self.cleaned_data["organization"])


class ImportForm(forms.Form):
    file = forms.FileField(label=_("List file (.txt numbered list, .csv or OSDI .json)"), required=False)
    text = forms.CharField(
        label=_("…or paste the list"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    dry_run = forms.BooleanField(label=_("Check only, store nothing"), required=False, initial=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("file") and not data.get("text", "").strip():
            raise forms.ValidationError(_("Choose a file or paste a list."))
        return data


class DeliveryForm(forms.ModelForm):
    class Meta:
        model = Delivery
        fields = ["delivered_on", "recipient", "method", "note"]
        widgets = {"delivered_on": forms.DateInput(attrs={"type": "date"})}
