"""Security models: users and their tokens and invitations, departments and roles, profiles and
permission sets, sharing, the audit log, support access."""

from .audit import AuditEntry, LoginThrottle
from .org import Department, Role
from .permissions import PermissionSet, Profile
from .sharing import Access, RecordShare, SharingRule
from .support import SupportGrant, SupportLogin
from .users import ApiToken, Invitation, User, UserManager
from .version import SecurityVersion

__all__ = [
    "Access", "ApiToken", "AuditEntry", "Department", "Invitation", "LoginThrottle", "PermissionSet", "Profile",
    "RecordShare", "Role", "SecurityVersion", "SharingRule", "SupportGrant", "SupportLogin", "User", "UserManager",
]
