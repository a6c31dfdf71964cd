"""user secrets apart: PIN and desk-password hashes and the lock-out move to `user_secrets`

On PostgreSQL the table is revoked from PUBLIC and reachable only through SECURITY DEFINER
functions owned by the schema owner: a desk role connecting as itself can ask for a salt, check
a candidate hash (which counts wrong attempts and locks), and set a secret (its own, or anyone's
if it is an admin desk user), but never read a hash. The checking function bounds the
attempts and lock-out the caller asks for, so calling it directly gains nothing.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MOVED = ("pin_hash", "pin_salt", "failed_pin_attempts", "locked_until")

#: the bounds the checking function keeps whatever its caller asks
MAX_ATTEMPTS_CEILING = 10
LOCKOUT_MINUTES_FLOOR = 1

_PG_FUNCTIONS = f"""
REVOKE ALL ON user_secrets FROM PUBLIC;

CREATE FUNCTION orderdesk_secret_salt(p_name text, p_kind text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT CASE p_kind WHEN 'pin' THEN s.pin_salt WHEN 'password' THEN s.password_salt END
    FROM user_secrets s JOIN users u ON u.id = s.user_id
    WHERE u.name = p_name AND u.active
$$;

CREATE FUNCTION orderdesk_secret_flags()
RETURNS TABLE (user_id integer, has_pin boolean, has_password boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT s.user_id, s.pin_hash IS NOT NULL, s.password_hash IS NOT NULL FROM user_secrets s
$$;

CREATE FUNCTION orderdesk_check_secret(
    p_name text, p_kind text, p_hash text, p_max_attempts integer, p_lockout_minutes integer
) RETURNS TABLE (status text, attempts_left integer, locked_until timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    s user_secrets%ROWTYPE;
    stored text;
    now_utc timestamptz := now();
    most integer := LEAST(GREATEST(p_max_attempts, 1), {MAX_ATTEMPTS_CEILING});
    lock_for integer := GREATEST(p_lockout_minutes, {LOCKOUT_MINUTES_FLOOR});
BEGIN
    SELECT x.* INTO s FROM user_secrets x JOIN users u ON u.id = x.user_id
    WHERE u.name = p_name AND u.active FOR UPDATE OF x;
    stored := CASE p_kind WHEN 'pin' THEN s.pin_hash WHEN 'password' THEN s.password_hash END;
    IF stored IS NULL THEN
        RETURN QUERY SELECT 'unset'::text, 0, NULL::timestamptz;
    ELSIF s.locked_until IS NOT NULL AND s.locked_until > now_utc THEN
        RETURN QUERY SELECT 'locked'::text, 0, s.locked_until;
    ELSIF stored = p_hash THEN
        UPDATE user_secrets SET failed_attempts = 0, locked_until = NULL
        WHERE user_secrets.user_id = s.user_id;
        RETURN QUERY SELECT 'ok'::text, most, NULL::timestamptz;
    ELSIF s.failed_attempts + 1 >= most THEN
        UPDATE user_secrets
        SET failed_attempts = 0, locked_until = now_utc + make_interval(mins => lock_for)
        WHERE user_secrets.user_id = s.user_id;
        RETURN QUERY SELECT 'locked_now'::text, 0, now_utc + make_interval(mins => lock_for);
    ELSE
        UPDATE user_secrets SET failed_attempts = failed_attempts + 1
        WHERE user_secrets.user_id = s.user_id;
        RETURN QUERY SELECT 'wrong'::text, most - s.failed_attempts - 1, NULL::timestamptz;
    END IF;
END
$$;

CREATE FUNCTION orderdesk_set_secret(p_name text, p_kind text, p_salt text, p_hash text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    uid integer;
BEGIN
    IF p_kind NOT IN ('pin', 'password') THEN
        RAISE EXCEPTION 'unknown secret kind %', p_kind;
    END IF;
    -- session_user: the role that logged in (inside this function current_user is the owner)
    IF session_user::text <> (SELECT tableowner::text FROM pg_tables
                              WHERE tablename = 'user_secrets' AND schemaname = current_schema())
       AND session_user::text <> p_name
       AND NOT EXISTS (SELECT 1 FROM users
                       WHERE name = session_user::text AND role = 'admin' AND active) THEN
        RAISE EXCEPTION 'setting the % of % is for admins', p_kind, p_name
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT id INTO uid FROM users WHERE name = p_name;
    IF uid IS NULL THEN
        RAISE EXCEPTION 'no user %', p_name;
    END IF;
    INSERT INTO user_secrets (user_id, failed_attempts) VALUES (uid, 0)
    ON CONFLICT (user_id) DO NOTHING;
    IF p_kind = 'pin' THEN
        UPDATE user_secrets SET pin_salt = p_salt, pin_hash = p_hash, failed_attempts = 0,
            locked_until = NULL WHERE user_id = uid;
    ELSE
        UPDATE user_secrets SET password_salt = p_salt, password_hash = p_hash,
            failed_attempts = 0, locked_until = NULL WHERE user_id = uid;
    END IF;
END
$$;
"""


def upgrade() -> None:
    op.create_table(
        "user_secrets",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("pin_hash", sa.String(length=128), nullable=True),
        sa.Column("pin_salt", sa.String(length=64), nullable=True),
        sa.Column("password_hash", sa.String(length=128), nullable=True),
        sa.Column("password_salt", sa.String(length=64), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.execute(
        "INSERT INTO user_secrets (user_id, pin_hash, pin_salt, failed_attempts, locked_until) "
        "SELECT id, pin_hash, pin_salt, failed_pin_attempts, locked_until FROM users "
        "WHERE pin_hash IS NOT NULL OR locked_until IS NOT NULL"
    )
    # plain DROP COLUMN (SQLite >= 3.35 has it): a batch copy would rewrite the table
    for column in _MOVED:
        op.execute(f"ALTER TABLE users DROP COLUMN {column}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTIONS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for signature in (
            "orderdesk_secret_salt(text, text)",
            "orderdesk_secret_flags()",
            "orderdesk_check_secret(text, text, text, integer, integer)",
            "orderdesk_set_secret(text, text, text, text)",
        ):
            op.execute(f"DROP FUNCTION {signature}")
    op.add_column("users", sa.Column("pin_hash", sa.String(length=128), nullable=True))
    op.add_column("users", sa.Column("pin_salt", sa.String(length=64), nullable=True))
    op.add_column(
        "users",
        sa.Column("failed_pin_attempts", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column(
        "users", sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
    )
    op.execute(
        "UPDATE users SET pin_hash = (SELECT pin_hash FROM user_secrets s WHERE s.user_id = "
        "users.id), pin_salt = (SELECT pin_salt FROM user_secrets s WHERE s.user_id = users.id), "
        "locked_until = (SELECT locked_until FROM user_secrets s WHERE s.user_id = users.id)"
    )
    op.drop_table("user_secrets")
