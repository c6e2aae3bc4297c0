package com.customercaregpt.backup.recovery;

import com.customercaregpt.backup.api.ApiProblem;
import com.customercaregpt.backup.component.Components;
import org.apache.camel.CamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SetVariableDefinition;
import org.apache.camel.model.SetVariablesDefinition;
import org.apache.camel.model.StepDefinition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The plans are the routes of group `disaster-recovery` (routes/disaster-recovery/*.camel.yaml):
 * each declares its objectives in its first step (setVariables) and its steps as `step` blocks.
 * A new plan is a new route file; nothing here knows a plan by name.
 */
public final class RecoveryPlans {

    public static final String GROUP = "disaster-recovery";
    private static final String ROUTE_PREFIX = "plan-";

    private final Supplier<CamelContext> context;
    private final Components components;

    public RecoveryPlans(Supplier<CamelContext> context, Components components) {
        this.context = context;
        this.components = components;
    }

    /** Every plan, by priority then name. */
    public List<RecoveryPlan> list() {
        List<RecoveryPlan> plans = new ArrayList<>();
        for (RouteDefinition route : ((ModelCamelContext) context.get()).getRouteDefinitions()) {
            if (GROUP.equals(route.getGroup()) && route.getRouteId() != null && route.getRouteId().startsWith(ROUTE_PREFIX)) {
                RecoveryPlan plan = read(route);
                // a plan of components this installation does not back up (backup.components) does not apply
                if (!plan.components().isEmpty()) {
                    plans.add(plan);
                }
            }
        }
        plans.sort(Comparator.comparingInt(RecoveryPlan::priority).thenComparing(RecoveryPlan::planId));
        return plans;
    }

    /** The plan named {@code planId}; unknown: a 404 naming the plans there are. */
    public RecoveryPlan get(String planId) {
        return list().stream().filter(p -> p.planId().equals(planId)).findFirst()
                .orElseThrow(() -> new ApiProblem.NotFound("no recovery plan '" + planId + "' (plans: "
                        + String.join(", ", list().stream().map(RecoveryPlan::planId).toList()) + ")"));
    }

    private RecoveryPlan read(RouteDefinition route) {
        String id = route.getRouteId().substring(ROUTE_PREFIX.length());
        Map<String, String> declared = new HashMap<>();
        List<String> steps = new ArrayList<>();
        for (ProcessorDefinition<?> output : route.getOutputs()) {
            if (output instanceof SetVariablesDefinition variables && steps.isEmpty()) {
                for (SetVariableDefinition variable : variables.getVariables()) {
                    declared.put(variable.getName(), variable.getExpression().getExpression());
                }
            } else if (output instanceof StepDefinition step && step.getId() != null) {
                steps.add(stepName(step.getId()));
            }
        }
        String listed = required(id, declared, "components");
        List<String> declaredNames = Arrays.stream(listed.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        List<String> names = "all".equals(listed) ? components.names()
                : components.names().stream().filter(declaredNames::contains).toList();
        return new RecoveryPlan(id, route.getDescription(), number(id, declared, "rtoMinutes"),
                number(id, declared, "rpoMinutes"), number(id, declared, "priority"), List.copyOf(names),
                Boolean.parseBoolean(declared.getOrDefault("restartsApplication", "false")), List.copyOf(steps));
    }

    /** A step's id is "<plan>.<step>": the plan's name keeps step ids unique across plans. */
    static String stepName(String stepId) {
        int dot = stepId.indexOf('.');
        return dot < 0 ? stepId : stepId.substring(dot + 1);
    }

    private static String required(String plan, Map<String, String> declared, String name) {
        String value = declared.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("recovery plan " + plan + " declares no " + name
                    + " (its first step, setVariables, must)");
        }
        return value.strip();
    }

    private static int number(String plan, Map<String, String> declared, String name) {
        String value = required(plan, declared, name);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("recovery plan " + plan + ": " + name + " must be a whole number, got '"
                    + value + "'");
        }
    }
}
