"""Admin pages for drafting letters; every page checks that the user coordinates the letter.

Django's model permissions say what a staff user may do with letters at all; `services.coordinates`
narrows that to the letters they coordinate (directly, through their organisation's group, or
everywhere with `campaigns.coordinate_all_letters`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from treatywatch.campaigns import services
from treatywatch.campaigns.dedupe import name_key
from treatywatch.campaigns.models import Delivery, DuplicateCandidate, Letter, LetterText, Signature


class LetterTextInline(admin.StackedInline):
    model = LetterText
    extra = 1


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    readonly_fields = ["signatory_count", "recorded_by", "recorded_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # recorded on the coordinator page, which counts the list at that moment


class PerLetterMixin:
    """Limits lists and objects to letters the user coordinates."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    letter_path = "letter"

    def _letter(self, obj: Any) -> Letter:
        return obj if self.letter_path == "" else getattr(obj, self.letter_path)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        rows = super().get_queryset(request)
        mine = services.coordinated_letters(request.user)
        return rows.filter(pk__in=mine) if self.letter_path == "" else rows.filter(letter__in=mine)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or services.coordinates(request.user, self._letter(obj)))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or services.coordinates(request.user, self._letter(obj)))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or services.coordinates(request.user, self._letter(obj)))


@admin.register(Letter)
class LetterAdmin(PerLetterMixin, SimpleHistoryAdmin):
    letter_path = ""
    list_display = ["title", "slug", "state", "deadline", "created_at"]
    list_filter = ["state"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [LetterTextInline, DeliveryInline]
    filter_horizontal = ["coordinators"]
    readonly_fields = ["state", "opened_at", "closed_at", "created_by"]

    def save_model(self, request: HttpRequest, obj: Letter, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if not change:  # whoever drafts a letter coordinates it
            form.instance.coordinators.add(request.user)


@admin.register(Signature)
class SignatureAdmin(PerLetterMixin, SimpleHistoryAdmin):
    list_display = ["display_name", "letter", "kind", "status", "country", "source", "created_at"]
    list_filter = ["letter", "status", "kind", "source"]
    search_fields = ["organization", "given_name", "family_name", "email"]
    readonly_fields = [
        "name_key",
        "source",
        "import_file",
        "import_number",
        "flags",
        "anti_spam",
        "merged_into",
        "created_at",
        "confirmation_sent_at",
        "confirmed_at",
    ]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "letter":
            kwargs["queryset"] = services.coordinated_letters(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Signature, form: Any, change: bool) -> None:
        obj.name_key = name_key(obj.display_name)
        if not change:
            obj.source = Signature.Source.COORDINATOR
        super().save_model(request, obj, form, change)


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(PerLetterMixin, admin.ModelAdmin):
    list_display = ["first", "second", "relation", "score", "decision"]
    list_filter = ["letter", "relation", "decision"]
    readonly_fields = ["letter", "first", "second", "relation", "score", "reason"]
