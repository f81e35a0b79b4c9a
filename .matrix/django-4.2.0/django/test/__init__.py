"""Django Unit Test framework."""

from django.test.client import AsyncClient, AsyncRequestFactory, Client, RequestFactory
from django.test.testcases import (
    LiveServerTestCase,
    SimpleTestCase,
    TestCase,
    TransactionTestCase,
    skipIfDBFeature,
    skipUnlessAnyDBFeature,
    skipUnlessDBFeature,
)
from django.test.utils import (
    ignore_warnings,
    modify_settings,
    override_settings,
    override_system_checks,
    tag,
)

__all__ = [
    "AsyncClient",
    "AsyncRequestFactory",
    "Client",
    "RequestFactory",
    "TestCase",
    "TransactionTestCase",
    "SimpleTestCase",
    "LiveServerTestCase",
    "skipIfDBFeature",
    "skipUnlessAnyDBFeature",
    "skipUnlessDBFeature",
    "ignore_warnings",
    "modify_settings",
    "override_settings",
    "override_system_checks",
    "tag",
]
