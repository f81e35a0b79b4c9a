from strawberry_django.utils.gql_compat import IS_GQL_32, IS_GQL_33

__all__ = ["IS_GQL_32", "IS_GQL_33"]
