"""Sign-on letters: the letter, its texts, its signatures, duplicate candidates and deliveries.

Field names of `Signature` follow the OSDI signature/person model (given_name, family_name, the
e-mail and country that OSDI nests in email_addresses / postal_addresses) so lists move to and from
Action Network; the mapping is documented in docs/campaigns.md and implemented in `osdi.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

RESERVED_SLUGS = frozenset({"manage"})  # /letters/manage/ is the coordinators' page


def validate_letter_slug(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(f"{value!r} is reserved: choose another slug")


class Letter(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for signature")
        CLOSED = "closed", _("Closed")
        DELIVERED = "delivered", _("Delivered")

    slug = models.SlugField(unique=True, max_length=80, validators=[validate_letter_slug])
    title = models.CharField(max_length=300)
    language = models.CharField(
        max_length=5,
        choices=settings.LANGUAGES,
        default="en",
        help_text="language the letter was written in; other texts are translations",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    allow_individuals = models.BooleanField(
        default=False, help_text="individuals may sign, listed separately"
    )
    target_body = models.CharField(max_length=200, blank=True, help_text='e.g. "UN Member States"')
    target_states = models.JSONField(
        default=list, blank=True, help_text='participant codes, e.g. ["AUS", "USA"]'
    )
    treaty_asks = models.JSONField(
        default=list, blank=True, help_text='e.g. [{"treaty": "refugee-1951", "ask": "accede"}]'
    )
    deadline = models.DateTimeField(null=True, blank=True)
    stated_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="the number of signatories the published text claims, if any"
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="coordinated_letters"
    )
    coordinator_group = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="an organisation's team: every member coordinates this letter",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["-created_at"]
        permissions = [("coordinate_all_letters", "Can coordinate every sign-on letter")]

    def __str__(self) -> str:
        return self.title

    @property
    def accepts_signatures(self) -> bool:
        return self.state == self.State.OPEN and (self.deadline is None or timezone.now() <= self.deadline)

    def text_for(self, language: str) -> LetterText | None:
        """The text in `language`, else the original, else any."""
        texts = {t.language: t for t in self.texts.all()}
        return texts.get(language) or texts.get(self.language) or next(iter(texts.values()), None)


class LetterText(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(max_length=5, choices=settings.LANGUAGES)
    title = models.CharField(max_length=300)
    body = models.TextField(help_text="plain text; a blank line starts a new paragraph")
    asks = models.TextField(blank=True, help_text="one ask per line")
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["letter", "language"], name="one_text_per_language")]

    def __str__(self) -> str:
        return f"{self.letter.slug} [{self.language}]"

    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.split("\n\n") if p.strip()]

    def ask_list(self) -> list[str]:
        return [line.strip() for line in self.asks.splitlines() if line.strip()]


class Signature(models.Model):
    class Kind(models.TextChoices):
        ORGANISATION = "organisation", _("Organisation")
        INDIVIDUAL = "individual", _("Individual")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting e-mail confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        HELD = "held", _("Held for review")
        REJECTED = "rejected", _("Rejected")
        MERGED = "merged", _("Merged into another signature")

    class Source(models.TextChoices):
        FORM = "form", _("Signed on this site")
        IMPORT = "import", _("Imported list")
        COORDINATOR = "coordinator", _("Entered by a coordinator")

    class OrgType(models.TextChoices):
        NGO = "ngo", _("Non-governmental organisation")
        FAITH = "faith_based", _("Faith-based organisation")
        NETWORK = "network", _("Network or coalition")
        LEGAL = "legal", _("Legal service or bar association")
        ACADEMIC = "academic", _("University, clinic or research centre")
        REFUGEE_LED = "refugee_led", _("Refugee-led organisation")
        UNION = "union", _("Trade union")
        FOUNDATION = "foundation", _("Foundation")
        OTHER = "other", _("Other")

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="signatures")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ORGANISATION)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    organization = models.CharField(max_length=300, blank=True)  # OSDI custom field "organization"
    organization_type = models.CharField(max_length=16, choices=OrgType.choices, blank=True)
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(max_length=254, blank=True)  # contact; never shown publicly
    country = models.CharField(max_length=8, blank=True)  # participant code (ISO 3166-1 alpha-3)
    website = models.URLField(max_length=300, blank=True)
    on_behalf = models.BooleanField(default=False)  # "I am authorised to sign for this organisation"
    consent_public = models.BooleanField(default=False)  # "list our name publicly"
    name_key = models.CharField(max_length=300, db_index=True)  # dedupe.name_key(display name)
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.FORM)
    import_file = models.CharField(max_length=300, blank=True)
    import_number = models.PositiveIntegerField(null=True, blank=True)
    flags = models.JSONField(default=list, blank=True)  # [{"code": "individual", "reason": "..."}]
    anti_spam = models.CharField(max_length=12, blank=True)  # which check the form passed: pow | timetrap
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["submission_key"])

    class Meta:
        ordering = ["name_key", "pk"]
        constraints = [
            # one signature per contact address and organisation: a re-submission finds the first one
            models.UniqueConstraint(
                fields=["letter", "email", "name_key"],
                condition=~Q(email=""),
                name="one_signature_per_contact",
            ),
        ]
        indexes = [models.Index(fields=["letter", "status"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.ORGANISATION and self.organization:
            return self.organization
        return " ".join(p for p in (self.given_name, self.family_name) if p) or self.organization

    @property
    def contact_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)


class DuplicateCandidate(models.Model):
    """Two signatures that may be one organisation (or a section of it), awaiting a coordinator."""

    class Relation(models.TextChoices):
        SAME = "same", _("Probably the same organisation")
        RELATED = "related", _("Related (section, chapter, local group)")

    class Decision(models.TextChoices):
        OPEN = "open", _("Undecided")
        MERGED = "merged", _("Merged")
        DISTINCT = "distinct", _("Kept apart")

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="duplicate_candidates")
    first = models.ForeignKey(Signature, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Signature, on_delete=models.CASCADE, related_name="+")  # the later one
    relation = models.CharField(max_length=8, choices=Relation.choices)
    score = models.FloatField()
    reason = models.CharField(max_length=300)
    decision = models.CharField(max_length=8, choices=Decision.choices, default=Decision.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["decision", "-score"]
        constraints = [models.UniqueConstraint(fields=["first", "second"], name="one_candidate_per_pair")]


class Delivery(models.Model):
    class Method(models.TextChoices):
        EMAIL = "email", _("E-mail")
        IN_PERSON = "in_person", _("In person")
        POST = "post", _("Post")
        EVENT = "event", _("At an event")
        ONLINE = "online", _("Published online")
        OTHER = "other", _("Other")

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="deliveries")
    delivered_on = models.DateField()
    recipient = models.CharField(max_length=300, help_text="to whom")
    method = models.CharField(max_length=10, choices=Method.choices)
    note = models.TextField(blank=True)
    signatory_count = models.PositiveIntegerField(help_text="listed signatories when it was delivered")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["delivered_on", "pk"]
        verbose_name_plural = "deliveries"
