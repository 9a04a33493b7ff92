package dev.mambamixer.engine;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The engine's package layering (README "Layout"), checked on the compiled classes:
 * tensor ← backend ← nn ← model ← train ← introspect ← run ← cli, with data and io beside
 * them, and no package cycles. A new dependency that points up the stack fails here.
 */
@AnalyzeClasses(packages = "dev.mambamixer.engine", importOptions = ImportOption.DoNotIncludeTests.class)
class EngineArchitectureTest {
    private static final String E = "dev.mambamixer.engine.";

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("dev.mambamixer.engine.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule tensorIsTheBottom = noClasses().that().resideInAPackage(E + "tensor..")
        .should().dependOnClassesThat().resideInAnyPackage(E + "backend..", E + "nn..", E + "model..", E + "train..",
                                                           E + "introspect..", E + "run..", E + "cli..", E + "io..", E + "data..");

    @ArchTest
    static final ArchRule backendsKnowNoLayers = noClasses().that().resideInAPackage(E + "backend..")
        .should().dependOnClassesThat().resideInAnyPackage(E + "nn..", E + "model..", E + "train..", E + "introspect..",
                                                           E + "run..", E + "cli..", E + "io..", E + "data..");

    @ArchTest
    static final ArchRule layersKnowNoModelsOrTraining = noClasses().that().resideInAPackage(E + "nn..")
        .should().dependOnClassesThat().resideInAnyPackage(E + "model..", E + "train..", E + "introspect..", E + "run..",
                                                           E + "cli..", E + "io..", E + "data..");

    @ArchTest
    static final ArchRule modelsKnowNoTraining = noClasses().that().resideInAPackage(E + "model..")
        .should().dependOnClassesThat().resideInAnyPackage(E + "train..", E + "introspect..", E + "run..", E + "cli..");

    @ArchTest
    static final ArchRule trainingKnowsNoIntrospection = noClasses().that().resideInAPackage(E + "train..")
        .should().dependOnClassesThat().resideInAnyPackage(E + "introspect..", E + "run..", E + "cli..");

    @ArchTest
    static final ArchRule introspectionKnowsNoRunOrCli = noClasses().that().resideInAPackage(E + "introspect..")
        .should().dependOnClassesThat().resideInAnyPackage(E + "run..", E + "cli..");

    @ArchTest
    static final ArchRule onlyTheCliUsesTheCli = noClasses().that().resideOutsideOfPackage(E + "cli..")
        .should().dependOnClassesThat().resideInAPackage(E + "cli..");

    /** Sweeps run `train` as child processes and read run folders back: above introspection, below the CLI. */
    @ArchTest
    static final ArchRule onlyTheCliUsesSweeps = noClasses().that().resideOutsideOfPackages(E + "sweep..", E + "cli..")
        .should().dependOnClassesThat().resideInAPackage(E + "sweep..");

    @ArchTest
    static final ArchRule dataAndIoAreLeaves = noClasses().that().resideInAnyPackage(E + "data..", E + "io..")
        .should().dependOnClassesThat().resideInAnyPackage(E + "nn..", E + "model..", E + "train..", E + "introspect..",
                                                           E + "run..", E + "cli..");

    @ArchTest
    static final ArchRule backendImplementationsStayBehindTheSeam = noClasses()
        .that().resideOutsideOfPackages(E + "backend..", E + "cli..")
        .should().dependOnClassesThat().resideInAnyPackage(E + "backend.cpu..", E + "backend.cuda..");
}
