package dev.keel.agents.toolsets;

/**
 * How the host application shows a page to its user for an agent's {@code open_url} tool (see
 * {@link OpenUrlToolset}): open a browser tab on a desktop, send a link to a chat, put it on a web page. Called on the
 * thread running the agent; implementations must be thread-safe, since agents of several sessions may open pages at
 * once.
 *
 * <pre>{@code
 * UrlOpener opener = url -> java.awt.Desktop.getDesktop().browse(url);
 * }</pre>
 */
@FunctionalInterface
public interface UrlOpener {

    /**
     * Shows {@code url} to the user.
     *
     * @param url the page, an absolute URI as the team file configured it
     * @throws Exception when it cannot be shown; the agent sees the message as a tool error
     */
    void open(java.net.URI url) throws Exception;
}
