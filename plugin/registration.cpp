// heatmap plugin: the thin C++ shim that registers the pass with LLVM's new pass manager.
//
// Everything that LLVM offers only in C++ lives here and nothing else: llvmGetPassPluginInfo, the
// pass class with isRequired() (so -O0's optnone functions are not skipped), the cl::opt options,
// reporting a configuration error as a compiler error, and the few queries and edits LLVM-C 14
// lacks (hm_llvm_*: a scope line, musttail, notail, splitting a block). The pass body is C
// (instrument.c).
//
// Scheduling: the callbacks are registered before any source is seen, so the pass is added at
// both PipelineStartEP (before inlining) and OptimizerLastEP (after inlining); at each point the
// body reads the module's heatmap.yaml (`instrument:`) and acts at one of them only. Both points
// run at -O0 as well. From LLVM 16 on, the link-time points are added too (see registerCallbacks);
// the module marker keeps the pass from acting twice on a module. `opt -passes=heatmap` runs it
// unconditionally; `heatmap-pipeline-start` and `heatmap-optimizer-last` run it as the default
// pipeline would, for tests.
#include "hm_plugin.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/DiagnosticPrinter.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/PassPlugin.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

#include <string>

using namespace llvm;

static cl::opt<std::string> ConfigPath("heatmap-config",
                                       cl::desc("heatmap: the heatmap.yaml to use for every module "
                                                "(default: $HEATMAP_CONFIG, then the nearest "
                                                "heatmap.yaml above the source file)"),
                                       cl::value_desc("path"));
static cl::opt<std::string>
    ReportPath("heatmap-report",
               cl::desc("heatmap: append one JSON line per function seen (or $HEATMAP_REPORT)"),
               cl::value_desc("path"));

namespace {

// A compile error raised by the plugin (LLVM 14 has no DiagnosticInfoGeneric). Clang prints it as
// "error: MESSAGE" and fails the compilation; opt prints it and exits with status 1.
class HeatmapError : public DiagnosticInfo {
  public:
    explicit HeatmapError(const char *Message)
        : DiagnosticInfo(kind(), DS_Error), Message(Message) {}
    void print(DiagnosticPrinter &DP) const override {
        DP << Message;
    }

  private:
    static int kind() {
        static const int Kind = getNextAvailablePluginDiagnosticKind();
        return Kind;
    }
    const char *Message;
};

class HeatmapPass : public PassInfoMixin<HeatmapPass> {
  public:
    explicit HeatmapPass(hm_plugin_stage Stage) : Stage(Stage) {}

    PreservedAnalyses run(Module &M, ModuleAnalysisManager &) {
        std::string Config = ConfigPath, Report = ReportPath;
        hm_plugin_options Options = {Config.c_str(), Report.c_str(), Stage};
        hm_config_error Err;
        int Rc = hm_instrument_module(wrap(&M), &Options, &Err);
        if (Rc < 0) {
            // A broken heatmap.yaml is a compile error: say where, like a compiler, and fail the
            // compilation through LLVM's diagnostics (clang prints it and exits non-zero).
            if (Err.message[0] != '\0') {
                errs() << Err.message << "\n";
                M.getContext().diagnose(
                    HeatmapError("heatmap: invalid configuration (see the message above)"));
            }
            return PreservedAnalyses::all();
        }
        return Rc > 0 ? PreservedAnalyses::none() : PreservedAnalyses::all();
    }

    // Run even for optnone functions and at -O0.
    static bool isRequired() {
        return true;
    }

  private:
    hm_plugin_stage Stage;
};

void registerCallbacks(PassBuilder &PB) {
    // `auto &&...` absorbs the OptimizationLevel (and, in newer LLVMs, the LTO phase).
    PB.registerPipelineStartEPCallback([](ModulePassManager &MPM, auto &&...) {
        MPM.addPass(HeatmapPass(HM_STAGE_PIPELINE_START));
    });
    PB.registerOptimizerLastEPCallback([](ModulePassManager &MPM, auto &&...) {
        MPM.addPass(HeatmapPass(HM_STAGE_OPTIMIZER_LAST));
    });
#if LLVM_VERSION_MAJOR >= 16
    // Link time (lld --load-pass-plugin, LLVM >= 15 for the option, 16 for these points). A full
    // LTO link runs neither PipelineStartEP nor OptimizerLastEP, but these two, before and after
    // its inlining. A ThinLTO backend runs OptimizerLastEP, and OptimizerEarlyEP as its earliest
    // point for a plugin (after the backend's inlining of imported functions): the stand-in for
    // "before inlining" there. In an ordinary compilation OptimizerEarlyEP comes after
    // PipelineStartEP, which has instrumented and marked the module already, so it does nothing.
    PB.registerFullLinkTimeOptimizationEarlyEPCallback([](ModulePassManager &MPM, auto &&...) {
        MPM.addPass(HeatmapPass(HM_STAGE_PIPELINE_START));
    });
    PB.registerFullLinkTimeOptimizationLastEPCallback([](ModulePassManager &MPM, auto &&...) {
        MPM.addPass(HeatmapPass(HM_STAGE_OPTIMIZER_LAST));
    });
    PB.registerOptimizerEarlyEPCallback([](ModulePassManager &MPM, auto &&...) {
        MPM.addPass(HeatmapPass(HM_STAGE_PIPELINE_START));
    });
#endif
    PB.registerPipelineParsingCallback(
        [](StringRef Name, ModulePassManager &MPM, ArrayRef<PassBuilder::PipelineElement>) {
            hm_plugin_stage Stage;
            if (Name == "heatmap") {
                Stage = HM_STAGE_EXPLICIT;
            } else if (Name == "heatmap-pipeline-start") {
                Stage = HM_STAGE_PIPELINE_START;
            } else if (Name == "heatmap-optimizer-last") {
                Stage = HM_STAGE_OPTIMIZER_LAST;
            } else {
                return false;
            }
            MPM.addPass(HeatmapPass(Stage));
            return true;
        });
}

} // namespace

extern "C" LLVM_ATTRIBUTE_WEAK __attribute__((visibility("default"))) ::llvm::PassPluginLibraryInfo
llvmGetPassPluginInfo() {
    return {LLVM_PLUGIN_API_VERSION, "heatmap", "0.1", registerCallbacks};
}

// --- LLVM-C gaps (declared in hm_plugin.h) ---------------------------------------------------

extern "C" unsigned hm_llvm_subprogram_scope_line(LLVMMetadataRef SP) {
    auto *Sub = dyn_cast_or_null<DISubprogram>(unwrap(SP));
    return Sub ? Sub->getScopeLine() : 0;
}

extern "C" bool hm_llvm_is_musttail_call(LLVMValueRef Inst) {
    auto *Call = dyn_cast_or_null<CallInst>(unwrap(Inst));
    return Call && Call->isMustTailCall();
}

extern "C" void hm_llvm_set_notail(LLVMValueRef Call) {
    if (auto *CI = dyn_cast_or_null<CallInst>(unwrap(Call)))
        CI->setTailCallKind(CallInst::TCK_NoTail);
}

extern "C" LLVMValueRef hm_llvm_split_if_then(LLVMValueRef Cond, LLVMValueRef SplitBefore,
                                              const char *ThenName, const char *TailName,
                                              LLVMMetadataRef Loc) {
    auto *Before = cast<Instruction>(unwrap(SplitBefore));
    BasicBlock *Head = Before->getParent();
    // "Likely taken", the weights clang gives __builtin_expect(x, 1): recording is on by default.
    MDNode *Weights = MDBuilder(Head->getContext()).createBranchWeights(2000, 1);
    Instruction *ThenTerm = SplitBlockAndInsertIfThen(unwrap(Cond), Before, false, Weights);
    BasicBlock *Then = ThenTerm->getParent();
    BasicBlock *Tail = Before->getParent();
    Then->setName(ThenName);
    Tail->setName(TailName);
    if (Loc) {
        DebugLoc DL(cast<MDNode>(unwrap(Loc)));
        Head->getTerminator()->setDebugLoc(DL);
        ThenTerm->setDebugLoc(DL);
    }
    return wrap(ThenTerm);
}
