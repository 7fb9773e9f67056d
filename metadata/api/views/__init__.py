"""The views of `/api/v1/meta/…`, one module per area."""

from .definitions import (
    CategoryDetailView,
    CategoryListView,
    LayoutDetailView,
    LayoutListView,
    ListViewDetailView,
    ListViewListView,
)
from .fields import (
    FieldChangeTypeView,
    FieldDependencyView,
    FieldDetailView,
    FieldListView,
    FieldRestoreView,
    PicklistValuesView,
)
from .objects import ObjectDetailView, ObjectListView
from .reference import ChangeListView, FieldTypeListView, SchemaDetailView, SchemaListView

__all__ = [
    "CategoryDetailView", "CategoryListView", "ChangeListView", "FieldChangeTypeView", "FieldDependencyView",
    "FieldDetailView", "FieldListView", "FieldRestoreView", "FieldTypeListView", "LayoutDetailView",
    "LayoutListView", "ListViewDetailView", "ListViewListView", "ObjectDetailView", "ObjectListView",
    "PicklistValuesView", "SchemaDetailView", "SchemaListView",
]
