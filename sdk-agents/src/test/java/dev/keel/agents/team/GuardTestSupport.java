package dev.keel.agents.team;

import dev.keel.agents.AgentEvent;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.testing.model.RecordedChatRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** What the tool-guard tests read back from a run: the tool result the model saw, the guard events, the log. */
final class GuardTestSupport {
    private GuardTestSupport() {}

    /** The first tool result in {@code request}: what the model was told about the guarded call. */
    static String toolResult(RecordedChatRequest request) {
        return request.messages().stream().filter(ToolResultMessage.class::isInstance)
                .map(m -> ((ToolResultMessage) m).content()).findFirst().orElseThrow();
    }

    static List<AgentEvent.ToolGuarded> guarded(List<AgentEvent> events) {
        return events.stream().filter(AgentEvent.ToolGuarded.class::isInstance).map(AgentEvent.ToolGuarded.class::cast)
                .toList();
    }

    /** What SLF4J's simple logger (which writes to the current {@code System.err}) printed while {@code body} ran. */
    static String capturingStderr(Runnable body) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(original);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        original.print(text); // still in the build's output
        return text;
    }
}
