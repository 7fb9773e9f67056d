"""Security use cases. Views call these; each checks rights (through tessera.security.access), owns
its transaction and writes the audit log."""

from .audit_log import audit_entries
from .org import create_node, delete_node, get_node, list_nodes, update_node
from .ownership import Reassigned, owned_records, reassign_records, transfer_all
from .password_reset import complete_password_reset, request_password_reset
from .profiles import create_spec, delete_spec, get_spec, list_specs, profile_view_of, update_spec
from .session import log_in, log_out
from .sharing import (
    create_rule,
    delete_rule,
    get_rule,
    list_rules,
    list_shares,
    rule_object,
    share_record,
    unshare_record,
    update_rule,
)
from .support import (
    SupportLoginRefused,
    grant_support,
    issue_support_link,
    list_grants,
    revoke_grant,
    support_login,
)
from .tokens import authenticate_token, create_token, list_tokens, revoke_token
from .two_factor import (
    check_login_code,
    confirm_enrolment,
    has_two_factor,
    pending_device,
    provisioning_uri,
    security_settings,
    start_enrolment,
    turn_off_two_factor,
    two_factor_required,
    update_security_settings,
    verify_code,
)
from .users import (
    accept_invitation,
    create_first_admin,
    deactivate_user,
    get_user_detail,
    invitation_for,
    invite_user,
    list_invitations,
    list_users,
    reactivate_user,
    revoke_invitation,
    update_user,
)

__all__ = [
    "Reassigned", "SupportLoginRefused", "accept_invitation", "complete_password_reset", "request_password_reset",
    "check_login_code", "confirm_enrolment", "has_two_factor", "pending_device", "provisioning_uri", "security_settings", "start_enrolment",
    "turn_off_two_factor", "two_factor_required", "update_security_settings", "verify_code", "audit_entries", "authenticate_token",
    "create_first_admin", "create_node", "create_rule", "create_spec", "create_token", "deactivate_user",
    "delete_node", "delete_rule", "delete_spec", "get_node", "get_rule", "get_spec", "get_user_detail", "grant_support",
    "invitation_for", "invite_user", "issue_support_link", "list_grants", "list_invitations", "list_nodes",
    "list_rules", "list_shares", "list_specs", "list_tokens", "list_users", "log_in", "log_out", "owned_records", "profile_view_of",
    "reactivate_user", "reassign_records", "revoke_grant", "revoke_invitation", "revoke_token", "rule_object",
    "share_record", "support_login", "transfer_all", "unshare_record", "update_node", "update_rule", "update_spec", "update_user",
]
