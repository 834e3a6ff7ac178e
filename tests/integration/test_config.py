"""Settings: secret keys, production hardening and the database URL."""

from __future__ import annotations

import ast
import importlib
import stat
from pathlib import Path

import pytest

import config
from tracker import create_app


@pytest.fixture
def database_uri(database_copy: str) -> str:
    """A private copy of the migrated test database, so pages can be served."""
    return database_copy


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_uri: str) -> dict:
    """Production settings that cannot touch the real instance folder or database."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(config.Config, "SECRET_KEY", None)
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    return {"SQLALCHEMY_DATABASE_URI": database_uri, "TRUSTED_HOSTS": ["localhost"]}


@pytest.fixture
def reload_config(monkeypatch: pytest.MonkeyPatch):
    """Re-import config under a patched environment, and restore it afterwards."""
    yield lambda: importlib.reload(config)
    monkeypatch.undo()
    importlib.reload(config)


def test_development_key_is_generated_once_and_private(tmp_path: Path) -> None:
    """The development key must survive restarts and be readable only by its owner."""
    instance = tmp_path / "instance"
    first = config.development_secret_key(instance)
    path = instance / "secret_key"
    mtime = path.stat().st_mtime_ns
    second = config.development_secret_key(instance)

    assert len(first) == 64
    assert second == first
    assert path.read_text().strip() == first
    assert path.stat().st_mtime_ns == mtime
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_development_keys_differ_between_instances(tmp_path: Path) -> None:
    """Each installation must get its own key, not a shared default."""
    assert config.development_secret_key(tmp_path / "a") != config.development_secret_key(
        tmp_path / "b"
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "k" * 64, "DEBUG": True}, "DEBUG must never be on"),
        ({"SECRET_KEY": "k" * 64, "TRUSTED_HOSTS": None}, "TRUSTED_HOSTS must be set"),
        ({"SECRET_KEY": "k" * 64, "TRUSTED_HOSTS": []}, "TRUSTED_HOSTS must be set"),
    ],
    ids=["missing-key", "empty-key", "debug-on", "no-trusted-hosts", "empty-trusted-hosts"],
)
def test_production_refuses_unsafe_settings(production: dict, extra: dict, message: str) -> None:
    """Production must not start with a guessable key or the debugger on."""
    with pytest.raises(RuntimeError, match=message):
        create_app({**production, **extra}, env="production")


@pytest.mark.parametrize("value", ["1", "true", "yes"])
def test_production_refuses_flask_debug(
    production: dict, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """FLASK_DEBUG would also start `flask run` with the interactive debugger."""
    monkeypatch.setenv("FLASK_DEBUG", value)
    with pytest.raises(RuntimeError, match="DEBUG must never be on"):
        create_app({**production, "SECRET_KEY": "k" * 64}, env="production")
    monkeypatch.setenv("FLASK_DEBUG", "0")
    assert create_app({**production, "SECRET_KEY": "k" * 64}, env="production").debug is False


def test_trusted_hosts_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, reload_config
) -> None:
    monkeypatch.setenv("TRUSTED_HOSTS", " tracker.example, www.tracker.example ,")
    reloaded = reload_config()
    assert reloaded.ProductionConfig.TRUSTED_HOSTS == ["tracker.example", "www.tracker.example"]
    monkeypatch.setenv("TRUSTED_HOSTS", " , ")
    assert reload_config().ProductionConfig.TRUSTED_HOSTS is None


def test_production_sets_secure_cookies_and_hsts(production: dict) -> None:
    """Over HTTPS the session cookie must never leak to HTTP, and browsers must pin HTTPS."""
    app = create_app({**production, "SECRET_KEY": "k" * 64}, env="production")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert not app.config["TESTING"]

    response = app.test_client().get("/login", base_url="https://localhost")

    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = response.headers["Set-Cookie"]
    # __Host-: Secure, Path=/ and no Domain, so no subdomain can plant or read it.
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/;" in cookie or cookie.endswith("Path=/")
    assert "Domain" not in cookie


def test_development_sends_no_hsts(database_uri: str) -> None:
    """HSTS only in production, so plain-HTTP local runs keep working."""
    app = create_app(
        {"SECRET_KEY": "k" * 64, "SQLALCHEMY_DATABASE_URI": database_uri}, env="development"
    )
    response = app.test_client().get("/login")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize(
    ("database_url", "expected"),
    [
        ("sqlite:///{tmp}/elsewhere.sqlite3", "sqlite:///{tmp}/elsewhere.sqlite3"),
        (None, "sqlite:///{tmp}/tracker.sqlite3"),
        ("", "sqlite:///{tmp}/tracker.sqlite3"),
    ],
    ids=["set", "unset", "empty"],
)
def test_database_url_overrides_default(
    monkeypatch: pytest.MonkeyPatch,
    reload_config,
    tmp_path: Path,
    database_url: str | None,
    expected: str,
) -> None:
    """Deployments choose their database by DATABASE_URL; otherwise SQLite in instance/."""
    monkeypatch.setenv("TRACKER_INSTANCE_DIR", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    if database_url is None:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("DATABASE_URL", database_url.format(tmp=tmp_path))
    reloaded = reload_config()

    app = create_app(env="development")

    assert Path(reloaded.INSTANCE_DIR) == tmp_path
    assert app.config["SQLALCHEMY_DATABASE_URI"] == expected.format(tmp=tmp_path)
    assert app.instance_path == str(tmp_path)
    # The development key came from instance/secret_key, not from code.
    assert app.config["SECRET_KEY"] == (tmp_path / "secret_key").read_text().strip()


def test_test_key_is_random_per_import(reload_config) -> None:
    """The test key is generated, so no usable key is ever committed."""
    before = config.TestConfig.SECRET_KEY
    after = reload_config().TestConfig.SECRET_KEY
    assert before.startswith("test-only-")
    assert after.startswith("test-only-")
    assert after != before


def test_no_secret_key_literal_in_config() -> None:
    """A key written in the source would be shared by every deployment."""
    tree = ast.parse(Path(config.__file__).read_text())
    literals = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign | ast.AnnAssign)
        and any(
            isinstance(t, ast.Name) and t.id == "SECRET_KEY"
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
        )
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    ]
    assert literals == []


def test_unknown_environment_is_refused() -> None:
    """A typo in TRACKER_ENV must not silently fall back to development settings."""
    with pytest.raises(RuntimeError, match="Unknown TRACKER_ENV"):
        config.config_for("prod")
