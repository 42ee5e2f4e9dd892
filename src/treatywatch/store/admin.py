"""The editors' area: curators correct a record or add a depositary action by hand.

Every save needs a source (name and address) and a reason; simple_history keeps who changed what,
when and why (`history_change_reason`). Hand entries carry `entered_by`, so reloading the bundled
dataset keeps them. Correcting a source's fact never edits it: the correction is a new hand entry that
`supersedes` it, so the source's version stays on record, a sync or a reload that brings it back
changes nothing, and deleting the correction restores it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from treatywatch.store.convert import event_from_row
from treatywatch.store.models import Discrepancy, Event, Participant, SourceDocument, Treaty

admin.site.site_header = _("TreatyWatch editors")
admin.site.site_title = _("TreatyWatch editors")
admin.site.index_title = _("Records, sources and reviews")


class ChangeReasonForm(forms.ModelForm):
    """Adds the required "why" of a change; the admin stores it as the history's change reason."""

    change_reason = forms.CharField(
        label=_("Reason for this change"),
        max_length=100,
        help_text=_("Why you are making this change, e.g. the depositary notification that shows it."),
    )


class EventForm(ChangeReasonForm):
    url = forms.URLField(label=_("Source address"), max_length=500, assume_scheme="https")

    class Meta:
        model = Event
        fields = [
            "treaty",
            "participant",
            "kind",
            "date",
            "effective_date",
            "territory",
            "text",
            "cn_symbol",
            "verified",
            "note",
            "role",
            "source",
            "url",
            "original",
            "trust",
        ]
        help_texts = {
            "source": _("Name of the source, e.g. untc_cn for a depositary notification."),
            "url": _("Address where the fact can be read."),
            "date": _("Deposit date, or the date a notice was received."),
            "effective_date": _("Only a date the source itself states for the action taking effect."),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("source") or not cleaned.get("url"):
            raise forms.ValidationError(_("Give the source of this fact: its name and its address."))
        return cleaned

    def corrects_a_source_fact(self) -> bool:
        """Editing a fact a source gave (not a hand entry): saved as a new, superseding entry."""
        return self.instance.pk is not None and not self.instance.entered_by

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        content_id = event_from_row(self.instance).content_id()
        clashes = Event.objects.filter(event_id=content_id)
        if not self.corrects_a_source_fact():  # a hand entry is edited in place: it may keep its id
            clashes = clashes.exclude(pk=self.instance.pk)
        if clashes.exists():
            self.add_error(None, _("This exact fact, from this source, is already recorded."))


@admin.register(Event)
class EventAdmin(SimpleHistoryAdmin):
    form = EventForm
    list_display = (
        "participant",
        "treaty",
        "kind",
        "date",
        "effective_date",
        "role",
        "source",
        "verified",
        "entered_by",
        "supersedes",
    )
    list_filter = ("kind", "role", "verified", "source", "treaty")
    search_fields = (
        "participant__code",
        "participant__name",
        "treaty__slug",
        "text",
        "cn_symbol",
        "note",
        "event_id",
    )
    autocomplete_fields = ("participant", "treaty")
    readonly_fields = (
        "event_id",
        "entered_by",
        "supersedes",
        "retrieved_at",
        "first_seen",
        "last_seen",
        "document",
    )
    date_hierarchy = "date"
    list_per_page = 50

    def save_model(self, request: HttpRequest, obj: Event, form: EventForm, change: bool) -> None:
        now = timezone.now()
        if form.corrects_a_source_fact():
            # the source's fact stays as it was given; the correction is a new entry replacing it
            obj.supersedes = Event.objects.values_list("event_id", flat=True).get(pk=obj.pk)
            obj.pk = obj.id = None
            obj.document = obj.retrieved_at = obj.first_seen = None
        obj.entered_by = request.user.get_username()
        obj.retrieved_at = obj.retrieved_at or now
        obj.first_seen = obj.first_seen or now
        obj.last_seen = now
        # The id follows the content, so a corrected record is a new fact with its own provenance.
        obj.event_id = event_from_row(obj).content_id()
        obj._change_reason = form.cleaned_data["change_reason"]
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        """Only hand entries can be deleted. A source's fact deleted here would come back with the next
        change to its page, as a new fact alerted to users; correct it instead (a correction with role
        `crosscheck` takes it out of the status, with a source and a reason on record)."""
        if obj is not None and not obj.entered_by:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a selection may hold source facts: delete one at a time
        return actions

    def delete_model(self, request: HttpRequest, obj: Event) -> None:
        obj._change_reason = _("deleted by %(user)s") % {"user": request.user.get_username()}
        super().delete_model(request, obj)


class DiscrepancyForm(ChangeReasonForm):
    class Meta:
        model = Discrepancy
        fields = ["review", "review_note"]


@admin.register(Discrepancy)
class DiscrepancyAdmin(SimpleHistoryAdmin):
    """The review list: open disagreements between sources first."""

    form = DiscrepancyForm
    list_display = ("treaty", "participant", "kind", "description", "review", "reviewed_by", "created_at")
    list_filter = ("review", "kind", "treaty")
    search_fields = ("participant__code", "participant__name", "treaty__slug", "description")
    readonly_fields = ("treaty", "participant", "kind", "description", "sources", "reviewed_by", "created_at")
    ordering = ("review", "treaty", "participant")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # discrepancies come from the cross-source checks, not from editors

    def save_model(self, request: HttpRequest, obj: Discrepancy, form: DiscrepancyForm, change: bool) -> None:
        obj.reviewed_by = request.user.get_username()
        obj._change_reason = form.cleaned_data["change_reason"]
        super().save_model(request, obj, form, change)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Reference data and archived documents: editors look them up, the data files change them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "region", "iso_numeric")
    list_filter = ("kind", "region")
    search_fields = ("code", "name", "formal_name")


@admin.register(Treaty)
class TreatyAdmin(ReadOnlyAdmin):
    list_display = ("slug", "short_title", "category", "untc_ref", "data_as_of")
    list_filter = ("category",)
    search_fields = ("slug", "title", "short_title", "untc_ref")


@admin.register(SourceDocument)
class SourceDocumentAdmin(ReadOnlyAdmin):
    list_display = ("source", "url", "treaty", "state", "retrieved_at", "as_of")
    list_filter = ("source", "state")
    search_fields = ("url", "sha256")
