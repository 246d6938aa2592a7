package dev.keel.agents.internal.session;

import dev.keel.agents.internal.Secrets;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Message;
import dev.keel.core.message.ToolCall;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An earlier session as text the model reads: a header (id, title, when it was last saved, how many messages),
 * then one block per user, assistant and tool-result message. Secrets in a known format are redacted, since the
 * text is sent to the model and kept in the new session. When the whole does not fit {@code maxChars}, the oldest
 * blocks are left out and a note says how many; the newest block is cut from its start when it alone is too long.
 * Stateless. Not API.
 */
public final class Transcript {
    /** What starts the newest block when its beginning was cut. */
    static final String CUT = "[…beginning cut]\n";

    private Transcript() {}

    /** The rendered header and blocks of a session. */
    record Parts(String header, List<String> blocks) {}

    static Parts parts(String id, String title, Instant savedAt, List<Message> messages) {
        List<String> blocks = new ArrayList<>();
        int count = 0;
        for (Message m : messages) {
            String block = block(m);
            if (block != null) {
                count++;
                if (!block.isEmpty()) {
                    blocks.add(Secrets.redact(block));
                }
            }
        }
        String header = "# Session " + id + " — " + Secrets.redact(title) + "\nLast saved: " + savedAt
                + "\nMessages: " + count + "\n";
        return new Parts(header, blocks);
    }

    /** A message's block; "" when it carries nothing to show, null when it is not conversation (a system prompt). */
    private static String block(Message m) {
        StringBuilder b = new StringBuilder();
        if (m instanceof UserMessage u) {
            b.append("## user\n").append(u.text().strip());
        } else if (m instanceof AssistantMessage a) {
            b.append("## assistant\n").append(a.text().strip());
            for (ToolCall c : a.toolCalls()) {
                String args = c.arguments().strip();
                b.append(b.charAt(b.length() - 1) == '\n' ? "" : "\n").append("→ called tool `").append(c.name())
                        .append('`').append(args.isEmpty() || args.equals("{}") ? "" : " with " + args);
            }
        } else if (m instanceof ToolResultMessage t) {
            b.append("## tool result (").append(t.toolName()).append(t.error() ? ", error" : "").append(")\n")
                    .append(t.content().strip());
        } else {
            return null;
        }
        String s = b.toString().strip();
        return s.indexOf('\n') < 0 ? "" : s;
    }

    /** The session's transcript within {@code maxChars} (see the class description). */
    public static String render(String id, String title, Instant savedAt, List<Message> messages, int maxChars) {
        Parts p = parts(id, title, savedAt, messages);
        return fit(p.header(), p.blocks(), maxChars);
    }

    /**
     * The header, then the newest blocks that fit {@code maxChars} with the note on what was left out. Never longer
     * than {@code maxChars} when the header, the note and {@link #CUT} fit it.
     */
    static String fit(String header, List<String> blocks, int maxChars) {
        int all = header.length();
        for (String b : blocks) {
            all += 1 + b.length() + 1;
        }
        if (all <= maxChars) {
            return join(header, "", blocks);
        }
        // Room for the note at its longest, so that the result stays within maxChars whatever is left out.
        int budget = maxChars - header.length() - note(blocks.size(), blocks.size()).length();
        int kept = 0;
        int used = 0;
        for (int i = blocks.size() - 1; i >= 0; i--) {
            int cost = 1 + blocks.get(i).length() + 1;
            if (used + cost > budget) {
                break;
            }
            used += cost;
            kept++;
        }
        List<String> shown = new ArrayList<>(blocks.subList(blocks.size() - kept, blocks.size()));
        if (kept == 0 && !blocks.isEmpty()) {
            // The newest block alone is too long: keep its end, the part nearest to where the session stopped.
            String newest = blocks.get(blocks.size() - 1);
            int room = Math.max(0, budget - 2 - CUT.length());
            shown.add(CUT + newest.substring(newest.length() - Math.min(room, newest.length())));
            kept = 1;
        }
        return join(header, note(blocks.size() - kept, kept), shown);
    }

    static String note(int omitted, int kept) {
        return "\n[" + omitted + " earlier message(s) left out to stay within the size limit; the last " + kept
                + " follow]\n";
    }

    private static String join(String header, String note, List<String> blocks) {
        StringBuilder out = new StringBuilder(header).append(note);
        for (String b : blocks) {
            out.append('\n').append(b).append('\n');
        }
        return out.toString();
    }
}
