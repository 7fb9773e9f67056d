"""Package list for setuptools.

`platform/` is installed as the `tessera` package (`platform` is a standard-library module), which
`find_packages` cannot express on its own in pyproject.toml: this file renames what it finds.
"""

from setuptools import find_packages, setup

TOP_LEVEL = {"platform": "tessera", "metadata": "metadata", "tenants": "tenants",
             "ui_builder": "ui_builder", "reports_engine": "reports_engine"}


def _packages() -> list[str]:
    found = find_packages(include=[f"{folder}*" for folder in TOP_LEVEL])
    renamed = []
    for package in found:
        head, _, rest = package.partition(".")
        renamed.append(TOP_LEVEL[head] + (f".{rest}" if rest else ""))
    return renamed


setup(packages=_packages())
