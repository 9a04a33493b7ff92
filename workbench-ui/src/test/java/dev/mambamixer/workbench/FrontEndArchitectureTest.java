package dev.mambamixer.workbench;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The front ends' side of the layering (README "Layout"): the workbench and the charts reach the
 * engine through its run, introspection, data, model and training API, never through backend
 * implementations, layers or raw tensors (config enums such as the averaging mode excepted); charts know no JavaFX; within the workbench (MVVM) the
 * session knows no view models or views, view models know no views and no JavaFX controls.
 */
@AnalyzeClasses(packages = {"dev.mambamixer.workbench", "dev.mambamixer.charts"},
                importOptions = ImportOption.DoNotIncludeTests.class)
class FrontEndArchitectureTest {
    private static final String ENGINE = "dev.mambamixer.engine.";

    @ArchTest
    static final ArchRule noEngineInternals = noClasses().that().resideInAnyPackage("dev.mambamixer.workbench..", "dev.mambamixer.charts..")
        .should().dependOnClassesThat(resideInAnyPackage(ENGINE + "backend.cpu..", ENGINE + "backend.cuda..", ENGINE + "nn..",
                                                          ENGINE + "tensor..", ENGINE + "cli..")
                                          .and(DescribedPredicate.describe("no config enum", (JavaClass c) -> !c.isEnum())));

    @ArchTest
    static final ArchRule chartsKnowNoJavaFx = noClasses().that().resideInAPackage("dev.mambamixer.charts..")
        .should().dependOnClassesThat().resideInAPackage("javafx..");

    @ArchTest
    static final ArchRule sessionKnowsNoViewModelsOrViews = noClasses().that().resideInAPackage("dev.mambamixer.workbench.session..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.mambamixer.workbench.vm..", "dev.mambamixer.workbench.view..");

    @ArchTest
    static final ArchRule viewModelsKnowNoViews = noClasses().that().resideInAPackage("dev.mambamixer.workbench.vm..")
        .should().dependOnClassesThat().resideInAPackage("dev.mambamixer.workbench.view..");

    @ArchTest
    static final ArchRule noControlsBelowTheViews = noClasses().that().resideInAnyPackage("dev.mambamixer.workbench.vm..",
                                                                                          "dev.mambamixer.workbench.session..")
        .should().dependOnClassesThat().resideInAPackage("javafx.scene..");
}
