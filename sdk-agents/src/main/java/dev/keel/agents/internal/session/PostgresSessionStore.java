package dev.keel.agents.internal.session;

import dev.keel.agents.session.SessionConflictException;
import dev.keel.agents.session.SessionStore;
import dev.keel.agents.session.SessionStoreException;
import dev.keel.agents.session.SessionSummary;
import dev.keel.agents.session.StoredSession;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Sessions in a PostgreSQL table {@code (id text primary key, version bigint, document text, updated_at
 * timestamptz)}, created if absent. A first save inserts (a concurrent first save of the same id conflicts on
 * the primary key); later saves update {@code WHERE id = ? AND version = ?}, so exactly one of two writers that
 * loaded the same version wins. Plain JDBC: any PostgreSQL driver and pool work. Thread-safe.
 */
public final class PostgresSessionStore implements SessionStore {
    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

    private final DataSource dataSource;
    private final String table;
    private final String select;
    private final String insert;
    private final String update;
    private final String delete;
    private final String list;
    private volatile boolean created;

    public PostgresSessionStore(DataSource dataSource, String table) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        if (!TABLE.matcher(Objects.requireNonNull(table, "table")).matches()) {
            throw new IllegalArgumentException("not a plain table name: '" + table + "'");
        }
        this.table = table;
        this.select = "SELECT version, document, updated_at FROM " + table + " WHERE id = ?";
        this.insert = "INSERT INTO " + table + " (id, version, document, updated_at) VALUES (?, 1, ?, ?) "
                + "ON CONFLICT (id) DO NOTHING";
        this.update = "UPDATE " + table + " SET version = version + 1, document = ?, updated_at = ? "
                + "WHERE id = ? AND version = ?";
        this.delete = "DELETE FROM " + table + " WHERE id = ?";
        // LIKE with the prefix's own wildcards escaped: a prefix is plain characters, never a pattern.
        this.list = "SELECT id, version, updated_at FROM " + table + " WHERE id LIKE ? ESCAPE '\\' "
                + "ORDER BY updated_at DESC, id LIMIT ?";
    }

    private Connection connect() throws SQLException {
        Connection c = dataSource.getConnection();
        if (!created) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + table + " (id text PRIMARY KEY, version bigint NOT NULL, "
                        + "document text NOT NULL, updated_at timestamptz NOT NULL)");
            } catch (SQLException e) {
                c.close();
                throw e;
            }
            created = true;
        }
        return c;
    }

    @Override
    public Optional<StoredSession> load(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(select)) {
            ps.setString(1, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new StoredSession(sessionId, rs.getLong(1), rs.getString(2),
                        rs.getTimestamp(3).toInstant()));
            }
        } catch (SQLException e) {
            throw new SessionStoreException("cannot load session " + sessionId + " from " + table + ": " + e.getMessage(), e);
        }
    }

    @Override
    public StoredSession save(String sessionId, String json, long expectedVersion) {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(json, "json");
        Instant now = Instant.now();
        try (Connection c = connect()) {
            int rows;
            if (expectedVersion == 0) {
                try (PreparedStatement ps = c.prepareStatement(insert)) {
                    ps.setString(1, sessionId);
                    ps.setString(2, json);
                    ps.setTimestamp(3, Timestamp.from(now));
                    rows = ps.executeUpdate();
                }
            } else {
                try (PreparedStatement ps = c.prepareStatement(update)) {
                    ps.setString(1, json);
                    ps.setTimestamp(2, Timestamp.from(now));
                    ps.setString(3, sessionId);
                    ps.setLong(4, expectedVersion);
                    rows = ps.executeUpdate();
                }
            }
            if (rows != 1) {
                throw new SessionConflictException(sessionId, expectedVersion, load(sessionId).map(StoredSession::version).orElse(0L));
            }
            return new StoredSession(sessionId, expectedVersion + 1, json, now);
        } catch (SQLException e) {
            throw new SessionStoreException("cannot save session " + sessionId + " in " + table + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean delete(String sessionId) {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(delete)) {
            ps.setString(1, sessionId);
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw new SessionStoreException("cannot delete session " + sessionId + " from " + table + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<SessionSummary> list(String idPrefix, int limit) {
        Listings.check(idPrefix, limit);
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(list)) {
            ps.setString(1, idPrefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
            ps.setInt(2, limit);
            List<SessionSummary> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new SessionSummary(rs.getString(1), rs.getLong(2), rs.getTimestamp(3).toInstant()));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new SessionStoreException("cannot list sessions from " + table + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "SessionStore[postgres " + table + "]";
    }
}
