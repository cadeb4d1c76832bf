; An exception that leaves an instrumented function runs its exit call:
;  - a call that may throw becomes an invoke that unwinds to one cleanup block per function
;    (`landingpad cleanup`, exit call, `resume`), with the function's own personality or, for a
;    function without one, __gxx_personality_v0 in a C++ module;
;  - existing landing pads become cleanups too, and every `resume` (the path on which the
;    exception propagates out) gets an exit call; the path that catches and returns normally gets
;    its exit at the `ret`;
;  - calls that cannot become invokes are left alone: nounwind callees or call sites, intrinsics,
;    inline asm, musttail, returns_twice (setjmp), operand bundles;
;  - nounwind functions, and functions with a funclet personality (Windows EH), get no landing
;    pads; `unreachable` after a noreturn call gets no exit call.
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/all.yaml -S %s -o %t.ll
; RUN: %FileCheck %s < %t.ll
; The result is valid IR, and the optimiser keeps every exit call on the paths out.
; RUN: %opt -passes=verify -S %t.ll -o /dev/null
; RUN: %opt -O2 -S %t.ll | %FileCheck --check-prefix=O2 %s

source_filename = "exceptions.cpp"

declare void @may_throw(i32)
declare void @no_throw(i32) nounwind
declare i32 @setjmp(i8*) returns_twice
declare i32 @__gxx_personality_v0(...)
declare i32 @__CxxFrameHandler3(...)
declare i8* @__cxa_allocate_exception(i64) nounwind
declare void @__cxa_throw(i8*, i8*, i8*) noreturn
declare i8* @__cxa_begin_catch(i8*) nounwind
declare void @__cxa_end_catch()
declare i32 @llvm.eh.typeid.for(i8*) nounwind readnone
declare void @llvm.donothing() nounwind readnone
@_ZTIi = external constant i8*
@buf = global [200 x i8] zeroinitializer

; No personality, one call that may throw: invoke + cleanup, personality __gxx_personality_v0.
define void @_Z6simplei(i32 %x) {
; CHECK-LABEL: define void @_Z6simplei(i32 %x) personality {{.*}}@__gxx_personality_v0{{.*}} {
; CHECK-NEXT: %heatmap.state = load atomic i8
; CHECK: heatmap.enter:
; CHECK-NEXT: call void @__heatmap_enter_v3(
; CHECK: heatmap.body:
; It calls setjmp, so it is pinned (never count-only): no count blocks (tests/ir/setjmp.ll).
; CHECK-NEXT: %heatmap.timed = phi i1 [ false, %{{[-a-z.0-9]+}} ], [ true, %heatmap.enter ]{{$}}
; CHECK-NEXT: call void @no_throw(i32 %x)
; CHECK-NEXT: invoke void @may_throw(i32 %x)
; CHECK-NEXT: to label %heatmap.cont unwind label %heatmap.cleanup
; CHECK: heatmap.cont:
; CHECK-NEXT: call void @may_throw(i32 1) #[[NOUNWIND:[0-9]+]]
; CHECK-NEXT: call void @llvm.donothing()
; CHECK-NEXT: call void asm sideeffect "nop", ""()
; CHECK-NEXT: call void @may_throw(i32 2) [ "test"(i32 0) ]
; CHECK-NEXT: call i32 @setjmp(
; Where a longjmp lands (setjmp returned non-zero), the landing call (tests/ir/setjmp.ll).
; CHECK-NEXT: load atomic i32, {{.*}} @__heatmap_recording_v3
; CHECK: call void @__heatmap_landing_v3(
; CHECK: heatmap.landed:
; CHECK-NEXT: br i1 %heatmap.timed
; CHECK: heatmap.exit:
; CHECK-NEXT: call void @__heatmap_exit_v3(
; CHECK: heatmap.ret:
; CHECK-NEXT: ret void
; The landingpad stays first in its block; the guard follows it, the resume ends the function.
; CHECK: heatmap.cleanup:
; CHECK-NEXT: %heatmap.lp = landingpad { {{i8\*|ptr}}, i32 }
; CHECK-NEXT: cleanup
; CHECK-NEXT: br i1 %heatmap.timed, label %heatmap.exit{{[0-9]+}}, label %heatmap.resume, !prof
; CHECK: heatmap.exit{{[0-9]+}}:
; CHECK-NEXT: call void @__heatmap_exit_v3(
; CHECK-NEXT: br label %heatmap.resume
; CHECK: heatmap.resume:
; CHECK-NEXT: resume { {{i8\*|ptr}}, i32 } %heatmap.lp
; CHECK-NOT: __heatmap_exit_v3
; CHECK: }
  call void @no_throw(i32 %x)
  call void @may_throw(i32 %x)
  call void @may_throw(i32 1) nounwind
  call void @llvm.donothing()
  call void asm sideeffect "nop", ""()
  call void @may_throw(i32 2) [ "test"(i32 0) ]
  %j = call i32 @setjmp(i8* getelementptr ([200 x i8], [200 x i8]* @buf, i64 0, i64 0))
  ret void
}

; The value of a converted call and the PHIs of the block's successors stay right.
define i32 @_Z3phib(i1 %c) {
; CHECK-LABEL: define i32 @_Z3phib(
; CHECK: entry:
; CHECK-NEXT: %heatmap.state = load atomic i8
; CHECK: heatmap.enter:
; CHECK-NEXT: call void @__heatmap_enter_v3(
; CHECK: heatmap.body:
; CHECK-NEXT: %heatmap.timed = phi i1 [ false, %{{[-a-z.0-9]+}} ], [ true, %heatmap.enter ], [ false, %heatmap.count.add ], [ false, %heatmap.count.new ]
; CHECK-NEXT: br i1 %c, label %call, label %join
; CHECK: call:
; CHECK-NEXT: invoke void @may_throw(i32 7)
; CHECK-NEXT: to label %heatmap.cont unwind label %heatmap.cleanup
; CHECK: heatmap.cont:
; CHECK-NEXT: br label %join
; CHECK: join:
; CHECK-NEXT: %r = phi i32 [ 1, %heatmap.body ], [ 2, %heatmap.cont ]
; CHECK-NEXT: br i1 %heatmap.timed
; CHECK: heatmap.exit:
; CHECK-NEXT: call void @__heatmap_exit_v3(
; CHECK: heatmap.ret:
; CHECK-NEXT: ret i32 %r
entry:
  br i1 %c, label %call, label %join
call:
  call void @may_throw(i32 7)
  br label %join
join:
  %r = phi i32 [ 1, %entry ], [ 2, %call ]
  ret i32 %r
}

; A throw in the function itself: __cxa_throw becomes an invoke; the `unreachable` after it gets
; no exit call.
define void @_Z5raisev() {
; CHECK-LABEL: define void @_Z5raisev()
; CHECK: invoke void @__cxa_throw(
; CHECK-NEXT: to label %heatmap.cont unwind label %heatmap.cleanup
; CHECK: heatmap.cont:
; CHECK-NEXT: unreachable
; CHECK: heatmap.cleanup:
; CHECK-NEXT: landingpad
; CHECK-NEXT: cleanup
; CHECK-NEXT: br i1 %heatmap.timed
; CHECK: heatmap.exit{{[0-9]*}}:
; CHECK-NEXT: call void @__heatmap_exit_v3(
; CHECK: heatmap.resume:
; CHECK-NEXT: resume
  %e = call i8* @__cxa_allocate_exception(i64 4)
  call void @__cxa_throw(i8* %e, i8* bitcast (i8** @_ZTIi to i8*), i8* null)
  unreachable
}

; try { may_throw(); } catch (int) { return 1; } return 0; — an existing invoke and landing pad.
; The pad becomes a cleanup (so the unwinder stops here even for other exceptions); the catch path
; exits at its ret; the path for other exceptions exits at the resume.
define i32 @_Z5catchv() personality i8* bitcast (i32 (...)* @__gxx_personality_v0 to i8*) {
; CHECK-LABEL: define i32 @_Z5catchv() personality
; CHECK: entry:
; CHECK-NEXT: %heatmap.state = load atomic i8
; CHECK: heatmap.enter:
; CHECK-NEXT: call void @__heatmap_enter_v3(
; CHECK: heatmap.body:
; CHECK-NEXT: %heatmap.timed = phi i1 [ false, %{{[-a-z.0-9]+}} ], [ true, %heatmap.enter ], [ false, %heatmap.count.add ], [ false, %heatmap.count.new ]
; CHECK-NEXT: invoke void @may_throw(i32 0)
; CHECK-NEXT: to label %ok unwind label %lpad
; CHECK: ok:
; CHECK-NEXT: br i1 %heatmap.timed
; CHECK: heatmap.exit:
; CHECK-NEXT: call void @__heatmap_exit_v3(
; CHECK: heatmap.ret:
; CHECK-NEXT: ret i32 0
; CHECK: lpad:
; CHECK-NEXT: %lp = landingpad { {{i8\*|ptr}}, i32 }
; CHECK-NEXT: cleanup
; CHECK-NEXT: catch {{.*}}@_ZTIi
; CHECK: catch:
; CHECK-NEXT: %exn = extractvalue
; CHECK-NEXT: %ex = call {{.*}}@__cxa_begin_catch(
; CHECK-NEXT: invoke void @__cxa_end_catch()
; CHECK-NEXT: to label %heatmap.cont unwind label %heatmap.cleanup
; CHECK: heatmap.cont:
; CHECK-NEXT: br i1 %heatmap.timed
; CHECK: heatmap.exit{{[0-9]+}}:
; CHECK-NEXT: call void @__heatmap_exit_v3(
; CHECK: heatmap.ret{{[0-9]+}}:
; CHECK-NEXT: ret i32 1
; CHECK: other:
; CHECK-NEXT: br i1 %heatmap.timed
; CHECK: heatmap.exit{{[0-9]+}}:
; CHECK-NEXT: call void @__heatmap_exit_v3(
; CHECK: heatmap.resume:
; CHECK-NEXT: resume { {{i8\*|ptr}}, i32 } %lp
; CHECK: heatmap.cleanup:
; CHECK-NEXT: %heatmap.lp = landingpad { {{i8\*|ptr}}, i32 }
; CHECK-NEXT: cleanup
; CHECK-NEXT: br i1 %heatmap.timed
; CHECK: heatmap.exit{{[0-9]+}}:
; CHECK-NEXT: call void @__heatmap_exit_v3(
; CHECK: heatmap.resume{{[0-9]+}}:
; CHECK-NEXT: resume
entry:
  invoke void @may_throw(i32 0) to label %ok unwind label %lpad
ok:
  ret i32 0
lpad:
  %lp = landingpad { i8*, i32 } catch i8* bitcast (i8** @_ZTIi to i8*)
  %sel = extractvalue { i8*, i32 } %lp, 1
  %tid = call i32 @llvm.eh.typeid.for(i8* bitcast (i8** @_ZTIi to i8*))
  %match = icmp eq i32 %sel, %tid
  br i1 %match, label %catch, label %other
catch:
  %exn = extractvalue { i8*, i32 } %lp, 0
  %ex = call i8* @__cxa_begin_catch(i8* %exn)
  call void @__cxa_end_catch()
  ret i32 1
other:
  resume { i8*, i32 } %lp
}

; catch (...) { return 2; } with the return in the landing pad's own block: the landingpad stays
; first, the guard and exit call come after it.
define i32 @_Z8catchallv() personality i8* bitcast (i32 (...)* @__gxx_personality_v0 to i8*) {
; CHECK-LABEL: define i32 @_Z8catchallv() personality
; CHECK: lpad:
; CHECK-NEXT: %lp = landingpad { {{i8\*|ptr}}, i32 }
; CHECK-NEXT: cleanup
; CHECK-NEXT: catch {{i8\*|ptr}} null
; CHECK-NEXT: br i1 %heatmap.timed
; CHECK: heatmap.exit{{[0-9]+}}:
; CHECK-NEXT: call void @__heatmap_exit_v3(
; CHECK: heatmap.ret{{[0-9]+}}:
; CHECK-NEXT: ret i32 2
entry:
  invoke void @may_throw(i32 5) to label %ok unwind label %lpad
ok:
  ret i32 0
lpad:
  %lp = landingpad { i8*, i32 } catch i8* null
  ret i32 2
}

; musttail: the exit call goes before the musttail call, which stays a call.
define void @_Z4tailv() {
; CHECK-LABEL: define void @_Z4tailv()
; CHECK: heatmap.enter:
; CHECK-NEXT: call void @__heatmap_enter_v3(
; CHECK: heatmap.exit:
; CHECK-NEXT: call void @__heatmap_exit_v3(
; CHECK: heatmap.ret:
; CHECK-NEXT: musttail call void @_Z4tailv()
; CHECK-NEXT: ret void
  musttail call void @_Z4tailv()
  ret void
}

; nounwind: no landing pads.
define void @_Z7nothrowv() nounwind {
; CHECK-LABEL: define void @_Z7nothrowv()
; CHECK: heatmap.enter:
; CHECK-NEXT: call void @__heatmap_enter_v3(
; CHECK: heatmap.body:
; CHECK-NEXT: %heatmap.timed = phi i1 [ false, %{{[-a-z.0-9]+}} ], [ true, %heatmap.enter ], [ false, %heatmap.count.add ], [ false, %heatmap.count.new ]
; CHECK-NEXT: call void @may_throw(i32 3)
; CHECK-NEXT: br i1 %heatmap.timed
; CHECK: heatmap.exit:
; CHECK-NEXT: call void @__heatmap_exit_v3(
; CHECK: heatmap.ret:
; CHECK-NEXT: ret void
; CHECK-NOT: landingpad
; CHECK: }
  call void @may_throw(i32 3)
  ret void
}

; Windows EH (funclets) is not supported: enter and exit at the ret only.
define void @_Z7funcletv() personality i8* bitcast (i32 (...)* @__CxxFrameHandler3 to i8*) {
; CHECK-LABEL: define void @_Z7funcletv()
; CHECK: heatmap.enter:
; CHECK-NEXT: call void @__heatmap_enter_v3(
; CHECK: heatmap.body:
; CHECK-NEXT: %heatmap.timed = phi i1 [ false, %{{[-a-z.0-9]+}} ], [ true, %heatmap.enter ], [ false, %heatmap.count.add ], [ false, %heatmap.count.new ]
; CHECK-NEXT: call void @may_throw(i32 4)
; CHECK-NEXT: br i1 %heatmap.timed
; CHECK: heatmap.exit:
; CHECK-NEXT: call void @__heatmap_exit_v3(
; CHECK: heatmap.ret:
; CHECK-NEXT: ret void
  call void @may_throw(i32 4)
  ret void
}

; CHECK: attributes #[[NOUNWIND]] = { nounwind }

; After -O2 every path out still has its exit call: the normal return and the resume.
; O2-LABEL: define {{.*}}i32 @_Z5catchv()
; O2: call void @__heatmap_exit_v3(
; O2: ret i32
; O2: call void @__heatmap_exit_v3(
; O2: resume
