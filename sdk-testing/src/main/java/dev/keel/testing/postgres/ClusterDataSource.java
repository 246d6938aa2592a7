package dev.keel.testing.postgres;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source that opens a new connection per call as {@link PostgresCluster#USER}: the tests' and samples'
 * stand-in for a service's connection pool. The PostgreSQL driver must be on the class path.
 */
final class ClusterDataSource implements DataSource {
    private final String url;

    ClusterDataSource(String url) {
        this.url = url;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", PostgresCluster.USER);
        return DriverManager.getConnection(url, p);
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // connections are not logged
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // the driver's default applies
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return false;
    }

    @Override
    public String toString() {
        return "ClusterDataSource[" + url + "]";
    }
}
