from django.urls import path

from groups import views

app_name = "groups"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("join/<slug:token>/", views.join, name="join"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/sharing/", views.set_sharing, name="sharing"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
    path("<slug:slug>/invite/new/", views.rotate_invite, name="invite-rotate"),
    path("<slug:slug>/invite/revoke/", views.revoke_invite, name="invite-revoke"),
    path("<slug:slug>/invite/cap/", views.set_member_cap, name="member-cap"),
    path("<slug:slug>/members/<int:member_id>/remove/", views.remove_member, name="remove"),
    path("<slug:slug>/members/<int:member_id>/hand-over/", views.hand_over, name="hand-over"),
    path("<slug:slug>/targets/", views.set_targets, name="targets"),
    path("<slug:slug>/targets/derive/", views.derive_targets, name="targets-derive"),
]
