from django.db.models import CharField, Lookup


@CharField.register_lookup
class LikeOrdered(Lookup):
    """`field LIKE pattern` with the caller's own % wildcards (for ordered-initials search)."""

    lookup_name = "like_ordered"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} LIKE {rhs}", lhs_params + rhs_params
