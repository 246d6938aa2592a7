package dev.keel.agents.toolsets;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * docker-agent's {@code open_url} toolset: one tool without arguments (named {@code open_url} unless renamed) that
 * shows a fixed page to the user. The page is set by whoever configures the toolset, never by the model, so a
 * model cannot make the host open an address of its choosing. An embedded library has no browser of its own: the
 * host application's {@link UrlOpener} shows the page; without one (a headless service) every call is a tool error
 * saying no one can see the page. Immutable; thread-safe when the opener is.
 */
public final class OpenUrlToolset implements Toolset {
    private final URI url;
    private final String toolName;
    private final UrlOpener opener;

    private OpenUrlToolset(URI url, String toolName, UrlOpener opener) {
        this.url = Objects.requireNonNull(url, "url");
        if (!url.isAbsolute() || url.getScheme().startsWith("-")) {
            throw new IllegalArgumentException("open_url needs an absolute URL with a scheme; got '" + url + "'");
        }
        this.toolName = Objects.requireNonNull(toolName, "toolName");
        ToolSpec.of(toolName, ""); // checks the name
        this.opener = opener;
    }

    /**
     * {@code toolName} shows {@code url} through {@code opener}.
     *
     * @param url the page
     * @param toolName the tool's name, {@code open_url} by default
     * @param opener the host application's opener
     * @return the toolset
     */
    public static OpenUrlToolset of(URI url, String toolName, UrlOpener opener) {
        return new OpenUrlToolset(url, toolName, Objects.requireNonNull(opener, "opener"));
    }

    /**
     * No one to show the page to: every call is a tool error.
     *
     * @param url the page
     * @param toolName the tool's name
     * @return the toolset
     */
    public static OpenUrlToolset headless(URI url, String toolName) {
        return new OpenUrlToolset(url, toolName, null);
    }

    /**
     * The page the tool opens.
     *
     * @return the URL
     */
    public URI url() {
        return url;
    }

    /**
     * The opener, absent when headless.
     *
     * @return the opener, if any
     */
    public Optional<UrlOpener> opener() {
        return Optional.ofNullable(opener);
    }

    @Override
    public String name() {
        return "open_url";
    }

    @Override
    public String instructions() {
        return "Use the " + toolName + " tool to show " + url + " to the user.";
    }

    @Override
    public List<Tool> tools() {
        return List.of(Tool.of(ToolSpec.of(toolName, "Open " + url + " for the user. Takes no arguments: the page is "
                + "fixed by the tool's configuration.", JsonSchema.object().build()), true, (args, ctx) -> {
                    if (opener == null) {
                        return ToolResult.error("no one can see a page here: this application runs without a browser "
                                + "(the host application sets a UrlOpener to open pages); give the user the link " + url
                                + " in your reply instead");
                    }
                    opener.open(url);
                    return ToolResult.ok("Opened " + url);
                }));
    }

    @Override
    public String toString() {
        return "OpenUrlToolset[" + toolName + " " + url + (opener == null ? ", headless" : "") + "]";
    }
}
