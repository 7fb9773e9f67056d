"""Security models: users and their tokens and invitations, departments and roles, profiles and
permission sets, sharing, the audit log, support access."""

from .audit import AuditEntry, LoginThrottle, RateCounter
from .org import Department, Role, SecuritySettings
from .permissions import PermissionSet, Profile
from .sharing import Access, RecordShare, SharingRule
from .support import SupportGrant, SupportLogin
from .users import ApiToken, Invitation, TwoFactorDevice, User, UserManager, UserSession
from .version import SecurityVersion

__all__ = [
    "Access", "ApiToken", "AuditEntry", "Department", "Invitation", "LoginThrottle", "PermissionSet", "Profile",
    "RateCounter", "RecordShare", "Role", "SecuritySettings", "SecurityVersion", "SharingRule", "SupportGrant", "SupportLogin", "TwoFactorDevice", "User",
    "UserManager", "UserSession",
]
