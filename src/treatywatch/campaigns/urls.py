"""Addresses under /letters/ (stable public paths: docs/campaigns.md)."""

from django.urls import path

from treatywatch.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.index, name="index"),
    path("manage/", views.manage_index, name="manage-index"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/sign/", views.sign, name="sign"),
    path("<slug:slug>/thanks/", views.thanks, name="thanks"),
    path("<slug:slug>/confirm/<str:token>/", views.confirm, name="confirm"),
    path("<slug:slug>/signatories.csv", views.public_csv, name="csv"),
    path("<slug:slug>/signatories.json", views.public_osdi, name="osdi"),
    path("<slug:slug>/letter.pdf", views.public_pdf, name="pdf"),
    path("<slug:slug>/manage/", views.manage_letter, name="manage"),
    path("<slug:slug>/manage/state/", views.manage_state, name="manage-state"),
    path("<slug:slug>/manage/delivery/", views.manage_delivery, name="manage-delivery"),
    path("<slug:slug>/manage/import/", views.manage_import, name="manage-import"),
    path("<slug:slug>/manage/rescan/", views.manage_rescan, name="manage-rescan"),
    path("<slug:slug>/manage/signatures/<int:pk>/", views.manage_signature, name="manage-signature"),
    path("<slug:slug>/manage/duplicates/<int:pk>/", views.manage_candidate, name="manage-candidate"),
    path("<slug:slug>/manage/export.<str:fmt>", views.manage_export, name="manage-export"),
]
