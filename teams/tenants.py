"""Which tenant a notice's recipient is in, for pacing: read once from the conversation references, then kept."""

from __future__ import annotations

from store.uow import UnitOfWorkFactory
from teams.config import GUID


class TenantDirectory:
    """`recipient -> tenant id` for `teams.pacing.TeamsPacer`; unknown recipients count against the home tenant."""

    def __init__(self, uow_factory: UnitOfWorkFactory, *, home_tenant: str) -> None:
        self.uow_factory, self.home_tenant = uow_factory, home_tenant
        self._known: dict[str, str] = {}

    def __call__(self, recipient: str) -> str:
        tenant = self._known.get(recipient)
        if tenant is None:
            tenant = self._look_up(recipient)
            if tenant is not None:
                self._known[recipient] = tenant  # a recipient never moves tenant: one query each for the bot's life
        return tenant or self.home_tenant

    def _look_up(self, recipient: str) -> str | None:
        with self.uow_factory() as uow:
            if not GUID.fullmatch(recipient):
                ref = uow.teams_refs.for_channel(recipient)
                return ref.tenant_id if ref else None
            personal = uow.teams_refs.personal_for(recipient)
            if personal is not None:
                return personal.tenant_id
            member = uow.teams_refs.member(recipient)
            return member.tenant_id if member else None
