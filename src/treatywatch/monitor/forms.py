"""The subscription form, shared by the web pages (and its validation rules by the API)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from treatywatch.knowledge.participants import UnknownParticipantError
from treatywatch.knowledge.treaties import CATEGORIES
from treatywatch.monitor.models import Alert, Organisation, Subscription
from treatywatch.store.models import Treaty
from treatywatch.store.service import resolve_state

OPERATOR_KINDS = (Alert.Kind.DISCREPANCY, Alert.Kind.QUARANTINE)
USER_KINDS = [(k.value, k.label) for k in Alert.Kind if k not in OPERATOR_KINDS]


def resolve_states(values: list[str]) -> list[str]:
    """Codes or names -> codes; raises ValueError naming the value nobody knows."""
    codes = []
    for value in (v.strip() for v in values):
        if not value:
            continue
        try:
            codes.append(resolve_state(value))
        except UnknownParticipantError:
            raise ValueError(f"unknown state {value!r}") from None
    return sorted(set(codes))


def check_filters(*, treaties: list[str], categories: list[str], kinds: list[str]) -> None:
    unknown = sorted(set(treaties) - set(Treaty.objects.values_list("slug", flat=True)))
    if unknown:
        raise ValueError(f"unknown treaty {unknown[0]!r}")
    if set(categories) - set(CATEGORIES):
        raise ValueError(f"unknown category {sorted(set(categories) - set(CATEGORIES))[0]!r}")
    if set(kinds) - set(Alert.Kind.values):
        raise ValueError(f"unknown alert kind {sorted(set(kinds) - set(Alert.Kind.values))[0]!r}")


class SubscriptionForm(forms.ModelForm):
    owner = forms.ChoiceField(label=_("Owner"))
    states = forms.CharField(
        label=_("States"),
        required=False,
        help_text=_("ISO 3166-1 alpha-3 codes or names, separated by commas; empty for every state."),
    )
    treaties = forms.MultipleChoiceField(
        label=_("Treaties"), required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )
    categories = forms.MultipleChoiceField(
        label=_("Treaty categories"),
        required=False,
        choices=[(c, c.replace("_", " ")) for c in CATEGORIES],
        widget=forms.CheckboxSelectMultiple,
    )
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of event"),
        required=False,
        choices=USER_KINDS,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Empty for every kind. Notices of denunciation or withdrawal are always sent at once."),
    )
    language = forms.ChoiceField(label=_("Language of the e-mails"), choices=settings.LANGUAGES)
    webhook_url = forms.URLField(
        label=_("Webhook address"), required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = Subscription
        fields = ["name", "language", "email", "webhook_url", "webhook_enabled", "operator_alerts", "active"]

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        organisations = Organisation.objects.filter(members=user)
        self.fields["owner"].choices = [("user", _("Me"))] + [
            (f"org:{o.slug}", o.name) for o in organisations
        ]
        self.fields["treaties"].choices = list(Treaty.objects.values_list("slug", "short_title"))
        if not user.is_staff:
            del self.fields["operator_alerts"]
        instance = self.instance
        if instance.pk:
            self.initial.update(
                owner=f"org:{instance.organisation.slug}" if instance.organisation_id else "user",
                states=", ".join(instance.states),
                treaties=instance.treaties,
                categories=instance.categories,
                kinds=instance.kinds,
            )

    def clean_states(self) -> list[str]:
        try:
            return resolve_states(self.cleaned_data["states"].split(","))
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_owner(self) -> Organisation | None:
        value = self.cleaned_data["owner"]
        if value == "user":
            return None
        return Organisation.objects.get(slug=value.removeprefix("org:"), members=self.user)

    def save(self, commit: bool = True) -> Subscription:
        subscription = super().save(commit=False)
        organisation = self.cleaned_data["owner"]
        subscription.organisation = organisation
        subscription.user = None if organisation else self.user
        for name in ("states", "treaties", "categories", "kinds"):
            setattr(subscription, name, sorted(self.cleaned_data[name]))
        if subscription.webhook_url and "webhook_url" in self.changed_data:
            subscription.webhook_failures = 0  # a new endpoint starts with a clean record
        if commit:
            subscription.save()
        return subscription
