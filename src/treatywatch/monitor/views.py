"""Alert pages: the public list and one page per alert; subscriptions behind login."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from treatywatch.monitor.delivery import released
from treatywatch.monitor.forms import SubscriptionForm
from treatywatch.monitor.models import Alert, Subscription
from treatywatch.monitor.render import Names, summary, title

PAGE_SIZE = 50


def _rows(alerts: list[Alert]) -> list[dict]:
    lang = translation.get_language() or "en"
    names = Names(alerts)
    return [{"alert": a, "title": title(a, lang, names), "summary": summary(a, lang)} for a in alerts]


def index(request: HttpRequest) -> HttpResponse:
    alerts = released(timezone.now().date()).filter(audience=Alert.Audience.USERS)
    state, treaty = request.GET.get("state", "").upper(), request.GET.get("treaty", "")
    if state:
        alerts = alerts.filter(state=state)
    if treaty:
        alerts = alerts.filter(treaty=treaty)
    return render(
        request,
        "monitor/index.html",
        {
            "rows": _rows(list(alerts.order_by("-created_at", "-id")[:PAGE_SIZE])),
            "state": state,
            "treaty": treaty,
        },
    )


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(Alert, pk=pk)
    if alert.audience == Alert.Audience.OPERATORS and not request.user.is_staff:
        raise Http404("no such alert")
    if not alert.released(timezone.now().date()) and not request.user.is_staff:
        raise Http404("no such alert")
    return render(request, "monitor/detail.html", {"row": _rows([alert])[0]})


def _mine(request: HttpRequest):
    return (
        Subscription.objects.filter(Q(user=request.user) | Q(organisation__members=request.user))
        .select_related("organisation")
        .distinct()
    )


@login_required
def subscriptions(request: HttpRequest) -> HttpResponse:
    form = SubscriptionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        subscription = form.save()
        messages.success(request, _("Subscription “%(name)s” created.") % {"name": subscription.name})
        return redirect("monitor:subscription", pk=subscription.pk)
    return render(request, "monitor/subscriptions.html", {"subscriptions": _mine(request), "form": form})


@login_required
def subscription(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(_mine(request), pk=pk)
    form = SubscriptionForm(request.POST or None, instance=item, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Subscription saved."))
        return redirect("monitor:subscription", pk=item.pk)
    deliveries = item.deliveries.select_related("alert").order_by("-created_at")[:20]
    return render(
        request, "monitor/subscription.html", {"subscription": item, "form": form, "deliveries": deliveries}
    )


@login_required
@require_POST
def delete_subscription(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(_mine(request), pk=pk)
    item.delete()
    messages.success(request, _("Subscription deleted."))
    return redirect("monitor:subscriptions")
