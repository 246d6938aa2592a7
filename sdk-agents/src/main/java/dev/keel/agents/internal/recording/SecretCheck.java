package dev.keel.agents.internal.recording;

import dev.keel.agents.recording.RecordedRun;
import dev.keel.agents.recording.RecordedStep;
import dev.keel.agents.recording.RecordedToolset;
import dev.keel.agents.recording.RecordingSecretException;
import dev.keel.agents.recording.StepTag;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Message;
import dev.keel.core.message.SystemMessage;
import dev.keel.core.message.ToolCall;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import dev.keel.core.secrets.SecretScanner;
import dev.keel.core.tool.ToolSpec;
import java.util.List;

/** The scan before a recording is written: the first text of any step that still looks like a secret. Stateless. */
public final class SecretCheck {
    private SecretCheck() {}

    /**
     * Throws for the first secret found in {@code run}.
     *
     * @throws RecordingSecretException naming the step, the field and the rule (never the secret)
     */
    public static void scan(RecordedRun run, SecretScanner scanner) {
        for (RecordedToolset t : run.toolsets()) {
            for (ToolSpec spec : t.tools()) {
                check(scanner, new StepTag(t.agent(), "-", -1, -1), "description of tool '" + spec.name() + "'",
                        spec.description() + "\n" + spec.parameters());
            }
        }
        for (RecordedStep s : run.steps()) {
            StepTag tag = s.tag();
            if (s instanceof RecordedStep.ModelCall m) {
                List<Message> messages = m.request().messages();
                for (int i = 0; i < messages.size(); i++) {
                    check(scanner, tag, "model request (message " + i + ")", text(messages.get(i)));
                }
                check(scanner, tag, "model response", text(m.response().message()));
            } else if (s instanceof RecordedStep.ToolExecution t) {
                check(scanner, tag, "arguments of '" + t.tool() + "'", t.arguments().toString());
                check(scanner, tag, "tool result of '" + t.tool() + "'", t.result());
            } else if (s instanceof RecordedStep.Delegation d) {
                check(scanner, tag, "delegated task", d.task() + "\n" + d.expectedOutput());
            } else if (s instanceof RecordedStep.CommandRun c) {
                check(scanner, tag, "command line", String.join(" ", c.argv()));
                check(scanner, tag, "command output", c.stdout() + "\n" + c.stderr());
            } else if (s instanceof RecordedStep.HttpFetch f) {
                check(scanner, tag, "fetched URL", f.url());
            } else if (s instanceof RecordedStep.JobRecall r) {
                check(scanner, tag, "recalled job's command", r.command());
                check(scanner, tag, "recall message of job '" + r.jobId() + "'", r.message());
            } else if (s instanceof RecordedStep.ScheduleFire f) {
                check(scanner, tag, "schedule name", f.name());
                check(scanner, tag, "message of schedule '" + f.scheduleId() + "'", f.message());
            } else if (s instanceof RecordedStep.ApprovalDecision a) {
                check(scanner, tag, "approval decision", a.decision());
            }
        }
    }

    private static void check(SecretScanner scanner, StepTag tag, String field, String text) {
        scanner.find(text).ifPresent(f -> {
            throw new RecordingSecretException(tag, field, f.rule());
        });
    }

    private static String text(Message m) {
        if (m instanceof SystemMessage s) {
            return s.text();
        }
        if (m instanceof UserMessage u) {
            return u.text();
        }
        if (m instanceof AssistantMessage a) {
            StringBuilder sb = new StringBuilder(a.text());
            for (ToolCall c : a.toolCalls()) {
                sb.append('\n').append(c.arguments());
            }
            return sb.toString();
        }
        return ((ToolResultMessage) m).content();
    }
}
