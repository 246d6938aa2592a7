package dev.keel.agents;

import dev.keel.agents.StepInterceptor.ApprovalOutcome;
import dev.keel.agents.StepInterceptor.ApprovalStep;
import dev.keel.agents.StepInterceptor.DelegationStep;
import dev.keel.agents.StepInterceptor.HandoffStep;
import dev.keel.agents.StepInterceptor.ModelStep;
import dev.keel.agents.StepInterceptor.Proceed;
import dev.keel.agents.StepInterceptor.ToolStep;
import dev.keel.agents.StepInterceptor.ToolsetStep;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.core.ChatResponse;
import java.util.List;

/** A runner's interceptors as one chain per kind of step; the first interceptor is outermost. Immutable. */
final class Steps {
    private final List<StepInterceptor> interceptors;

    Steps(List<StepInterceptor> interceptors) {
        this.interceptors = List.copyOf(interceptors);
    }

    /** A seam's call into one interceptor. */
    @FunctionalInterface
    private interface Hop<S, T> {
        T apply(StepInterceptor interceptor, S step, Proceed<T> next);
    }

    private <S, T> T run(S step, Hop<S, T> hop, Proceed<T> last, int i) {
        if (i == interceptors.size()) {
            return last.proceed();
        }
        return hop.apply(interceptors.get(i), step, () -> run(step, hop, last, i + 1));
    }

    ChatResponse modelCall(ModelStep step, Proceed<ChatResponse> call) {
        return run(step, StepInterceptor::modelCall, call, 0);
    }

    ToolResult toolCall(ToolStep step, Proceed<ToolResult> call) {
        return run(step, StepInterceptor::toolCall, call, 0);
    }

    AgentResult delegation(DelegationStep step, Proceed<AgentResult> call) {
        return run(step, StepInterceptor::delegation, call, 0);
    }

    void handoff(HandoffStep step, Runnable call) {
        run(step, StepInterceptor::handoff, () -> {
            call.run();
            return null;
        }, 0);
    }

    List<Tool> toolsetTools(ToolsetStep step, Proceed<List<Tool>> call) {
        return run(step, StepInterceptor::toolsetTools, call, 0);
    }

    ApprovalOutcome approval(ApprovalStep step, Proceed<ApprovalOutcome> call) {
        return run(step, StepInterceptor::approval, call, 0);
    }
}
