from .mutations import create, delete, input_mutation, mutation, update

__all__ = [
    "create",
    "delete",
    "input_mutation",
    "mutation",
    "update",
]
