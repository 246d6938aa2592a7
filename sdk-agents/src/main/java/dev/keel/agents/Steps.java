package dev.keel.agents;

import dev.keel.agents.StepInterceptor.ApprovalOutcome;
import dev.keel.agents.StepInterceptor.ApprovalStep;
import dev.keel.agents.StepInterceptor.DelegationStep;
import dev.keel.agents.StepInterceptor.HandoffStep;
import dev.keel.agents.StepInterceptor.ModelStep;
import dev.keel.agents.StepInterceptor.Proceed;
import dev.keel.agents.StepInterceptor.RecallStep;
import dev.keel.agents.StepInterceptor.Recalled;
import dev.keel.agents.StepInterceptor.RunStep;
import dev.keel.agents.StepInterceptor.ToolStep;
import dev.keel.agents.StepInterceptor.ToolsetStep;
import dev.keel.agents.StepInterceptor.TurnStep;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.core.ChatResponse;
import dev.keel.core.observe.ObservationContext;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

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

    AgentResult run(RunStep step, Proceed<AgentResult> call) {
        return run(step, StepInterceptor::run, call, 0);
    }

    <T> T turn(TurnStep step, Proceed<T> call) {
        return run(step, (interceptor, s, next) -> interceptor.turn(s, next), call, 0);
    }

    /**
     * {@code task} made ready for another thread: the current observation context and whatever each interceptor
     * carries over. Called on the submitting thread.
     */
    Runnable propagate(Runnable task) {
        Runnable wrapped = ObservationContext.current().wrap(task);
        for (int i = interceptors.size() - 1; i >= 0; i--) {
            wrapped = interceptors.get(i).propagate(wrapped);
        }
        return wrapped;
    }

    /** {@link #propagate(Runnable)} for a task with a result. */
    <T> Callable<T> propagateCall(Callable<T> task) {
        AtomicReference<T> out = new AtomicReference<>();
        AtomicReference<Exception> failed = new AtomicReference<>();
        Runnable wrapped = propagate(() -> {
            try {
                out.set(task.call());
            } catch (Exception e) {
                failed.set(e);
            }
        });
        return () -> {
            wrapped.run();
            if (failed.get() != null) {
                throw failed.get();
            }
            return out.get();
        };
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

    List<Recalled> recalls(RecallStep step, Proceed<List<Recalled>> call) {
        return run(step, StepInterceptor::recalls, call, 0);
    }
}
