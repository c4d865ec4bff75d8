"""The Flask API and dashboard: `create_app` builds one per process, after gunicorn forks."""

from __future__ import annotations

from typing import Any

from flask import Flask, redirect
from flask_smorest import Api

from api import (  # noqa: F401
    account_pages,
    activity_corrections,  # the school page's corrections, on the dashboard's blueprint
    activity_forms,  # the school page's activity form joins the dashboard's blueprint
    audit_pages,
    auth,
    bodies,
    checklist_pages,
    dashboard,
    docs,
    employer_pages,  # its pages join the dashboard's blueprint, as roll_pages' do
    errors,
    headers,
    hub_pages,
    list_pages,
    people_actions,
    people_pages,
    people_sessions,
    placement_pages,
    requestlog,
    roll_pages,
    sessions,
    sso,
    token_pages,
)
from api.config import load_config
from api.openapi import TrackerDocument
from api.services import Services


class TrackerFlask(Flask):
    def log_exception(self, exc_info) -> None:
        """Flask logs the path, and our paths hold UPNs: log the route's rule instead."""
        from flask import request

        rule = request.url_rule.rule if request.url_rule else "unmatched"
        self.logger.error("Exception on %s [%s]", rule, request.method, exc_info=exc_info)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Defaults, then the environment, then `config` (tests); nothing connects until first use."""
    app = TrackerFlask(__name__)
    app.config.update(load_config(config))
    app.extensions["tracker"] = Services(app.config)
    api = Api(app, spec_kwargs={"extra_plugins": [TrackerDocument()]})
    _register_blueprints(api)
    errors.register(app)
    requestlog.register(app)
    auth.register(app)
    sessions.register(app, lambda: app.extensions["tracker"].store)
    people_sessions.register(app)
    sso.register(app)
    headers.register(app)
    bodies.register(app)  # after authentication: an outsider learns nothing from it
    docs.register(app)
    app.register_blueprint(dashboard.bp)
    app.add_url_rule("/", "root", lambda: redirect("/dashboard/"))
    app.add_url_rule("/favicon.ico", "favicon", dashboard.favicon)
    return app


def _register_blueprints(api: Api) -> None:
    from api.routes import (
        activities,
        audit,
        employers,
        hubs,
        metrics,
        operations,
        organisations,
        provider_access,
        pupils,
        schools,
    )

    routes = (
        operations,
        hubs,
        schools,
        pupils,
        activities,
        metrics,
        audit,
        organisations,
        employers,
        provider_access,
    )
    for module in routes:
        api.register_blueprint(module.blp)
