"""`/api/v1/security/…` on a tenant's host."""

from django.urls import path

from . import admin, ops, users

urlpatterns = [
    path("session/", users.SessionView.as_view(), name="security-session"),
    path("me/", users.MeView.as_view(), name="security-me"),
    path("users/", users.UserListView.as_view(), name="security-users"),
    path("users/invite/", users.UserInviteView.as_view(), name="security-user-invite"),
    path("users/<int:user_id>/", users.UserDetailView.as_view(), name="security-user"),
    path("users/<int:user_id>/deactivate/", users.UserDeactivateView.as_view(), name="security-user-deactivate"),
    path("users/<int:user_id>/reactivate/", users.UserReactivateView.as_view(), name="security-user-reactivate"),
    path("users/<int:user_id>/two-factor/", users.UserTwoFactorView.as_view(), name="security-user-two-factor"),
    path("settings/", users.SecuritySettingsView.as_view(), name="security-settings"),
    path("invitations/", users.InvitationListView.as_view(), name="security-invitations"),
    path("invitations/accept/", users.InvitationAcceptView.as_view(), name="security-invitation-accept"),
    path("invitations/<int:invitation_id>/", users.InvitationDetailView.as_view(), name="security-invitation"),
    path("tokens/", users.TokenListView.as_view(), name="security-tokens"),
    path("tokens/<int:token_id>/", users.TokenDetailView.as_view(), name="security-token"),
    path("departments/", admin.NodeListView.as_view(kind="department"), name="security-departments"),
    path("departments/<int:node_id>/", admin.NodeDetailView.as_view(kind="department"), name="security-department"),
    path("roles/", admin.NodeListView.as_view(kind="role"), name="security-roles"),
    path("roles/<int:node_id>/", admin.NodeDetailView.as_view(kind="role"), name="security-role"),
    path("profiles/", admin.SpecListView.as_view(kind="profile"), name="security-profiles"),
    path("profiles/<str:api_name>/", admin.SpecDetailView.as_view(kind="profile"), name="security-profile"),
    path("permission-sets/", admin.SpecListView.as_view(kind="permission_set"), name="security-permission-sets"),
    path("permission-sets/<str:api_name>/", admin.SpecDetailView.as_view(kind="permission_set"),
         name="security-permission-set"),
    path("schemas/profile.json", admin.ProfileSchemaView.as_view(), name="security-profile-schema"),
    path("sharing-rules/", admin.RuleListView.as_view(), name="security-sharing-rules"),
    path("sharing-rules/<int:rule_id>/", admin.RuleDetailView.as_view(), name="security-sharing-rule"),
    path("records/<str:object_api_name>/<str:record_id>/shares/", admin.ShareListView.as_view(),
         name="security-shares"),
    path("records/<str:object_api_name>/<str:record_id>/shares/<int:share_id>/", admin.ShareDetailView.as_view(),
         name="security-share"),
    path("reassign/", ops.ReassignView.as_view(), name="security-reassign"),
    path("audit/", ops.AuditLogView.as_view(), name="security-audit"),
    path("support-grants/", ops.GrantListView.as_view(), name="security-support-grants"),
    path("support-grants/<int:grant_id>/", ops.GrantDetailView.as_view(), name="security-support-grant"),
    path("support/login/", ops.SupportLoginView.as_view(), name="security-support-login"),
]
