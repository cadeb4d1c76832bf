; C++ names are demangled and cut to the qualified name: no return type, parameters or
; qualifiers; operator(), operator<, templates, lambdas, anonymous namespaces, ABI tags and clone
; suffixes. The record carries that name; config patterns match it.
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/all.yaml -heatmap-report=%t.jsonl -S %s \
; RUN:   | %FileCheck %s
; RUN: %FileCheck --check-prefix=NAME %s < %t.jsonl
; A functions.exclude pattern on a demangled name works.
; RUN: %opt -passes=heatmap -heatmap-config=%S/Inputs/exclude_cxx.yaml -S %s \
; RUN:   | %FileCheck --check-prefix=EXCL %s

source_filename = "names.cpp"

; CHECK: c"ns::Class<int>::method\00"
; CHECK: @__heatmap.rec._ZNK2ns5ClassIiE6methodEi = internal global {{.*}} @__heatmap.name,
; CHECK: c"Foo::operator()\00"

define void @"_ZNK2ns5ClassIiE6methodEi"() nounwind {
  ret void
}
; NAME-DAG: {"module":"names.cpp","function":"ns::Class<int>::method","symbol":"_ZNK2ns5ClassIiE6methodEi",
define void @"_ZN3FooclEi"() nounwind {
  ret void
}
; NAME-DAG: {"module":"names.cpp","function":"Foo::operator()","symbol":"_ZN3FooclEi",
define void @"_ZNK3FooclEv"() nounwind {
  ret void
}
; NAME-DAG: {"module":"names.cpp","function":"Foo::operator()","symbol":"_ZNK3FooclEv",
define void @"_ZltRK1AS1_"() nounwind {
  ret void
}
; NAME-DAG: {"module":"names.cpp","function":"operator<","symbol":"_ZltRK1AS1_",
define void @"_ZN2nsltIiEEbRKNS_3BoxIT_EES5_"() nounwind {
  ret void
}
; NAME-DAG: {"module":"names.cpp","function":"ns::operator< <int>","symbol":"_ZN2nsltIiEEbRKNS_3BoxIT_EES5_",
define void @"_Z5maxofIiET_S0_S0_"() nounwind {
  ret void
}
; NAME-DAG: {"module":"names.cpp","function":"maxof<int>","symbol":"_Z5maxofIiET_S0_S0_",
define void @"_ZZ4mainENK3$_0clEi"() nounwind {
  ret void
}
; NAME-DAG: {"module":"names.cpp","function":"main::$_0::operator()","symbol":"_ZZ4mainENK3$_0clEi",
define void @"_ZZ3foovENKUlvE_clEv"() nounwind {
  ret void
}
; NAME-DAG: {"module":"names.cpp","function":"foo()::{lambda()#1}::operator()","symbol":"_ZZ3foovENKUlvE_clEv",
define void @"_ZN12_GLOBAL__N_14helpEv"() nounwind {
  ret void
}
; NAME-DAG: {"module":"names.cpp","function":"(anonymous namespace)::help","symbol":"_ZN12_GLOBAL__N_14helpEv",
define void @"_Z3barB5cxx11v"() nounwind {
  ret void
}
; NAME-DAG: {"module":"names.cpp","function":"bar","symbol":"_Z3barB5cxx11v",
define void @"_Z3fooi.cold"() nounwind {
  ret void
}
; NAME-DAG: {"module":"names.cpp","function":"foo","symbol":"_Z3fooi.cold",
define void @"_ZN1AcviEv"() nounwind {
  ret void
}
; NAME-DAG: {"module":"names.cpp","function":"A::operator int","symbol":"_ZN1AcviEv",
define void @"_ZN1AcvPFviEEv"() nounwind {
  ret void
}
; NAME-DAG: {"module":"names.cpp","function":"A::operator void (*)(int)","symbol":"_ZN1AcvPFviEEv",
define void @"_ZN1AnwEm"() nounwind {
  ret void
}
; NAME-DAG: {"module":"names.cpp","function":"A::operator new","symbol":"_ZN1AnwEm",
define void @"_ZN1AdaEPv"() nounwind {
  ret void
}
; NAME-DAG: {"module":"names.cpp","function":"A::operator delete[]","symbol":"_ZN1AdaEPv",
define void @"_ZN1AlsEi"() nounwind {
  ret void
}
; NAME-DAG: {"module":"names.cpp","function":"A::operator<<","symbol":"_ZN1AlsEi",
define void @"_ZN1AgtEi"() nounwind {
  ret void
}
; NAME-DAG: {"module":"names.cpp","function":"A::operator>","symbol":"_ZN1AgtEi",
define void @"_ZNKSt6vectorIiSaIiEE4sizeEv"() nounwind {
  ret void
}
; NAME-DAG: {"module":"names.cpp","function":"std::vector<int, std::allocator<int> >::size","symbol":"_ZNKSt6vectorIiSaIiEE4sizeEv",
define void @"_ZZN1A1fEvEN1B1gEv"() nounwind {
  ret void
}
; NAME-DAG: {"module":"names.cpp","function":"A::f()::B::g","symbol":"_ZZN1A1fEvEN1B1gEv",
define void @"_ZN1AD1Ev"() nounwind {
  ret void
}
; NAME-DAG: {"module":"names.cpp","function":"A::~A","symbol":"_ZN1AD1Ev",
define void @"_ZNKR1A1fEv"() nounwind {
  ret void
}
; NAME-DAG: {"module":"names.cpp","function":"A::f","symbol":"_ZNKR1A1fEv",
define void @"_Z3maxIPFviEET_S2_"() nounwind {
  ret void
}
; NAME-DAG: {"module":"names.cpp","function":"max<void (*)(int)>","symbol":"_Z3maxIPFviEET_S2_",
define void @"plain_c_name"() nounwind {
  ret void
}
; NAME-DAG: {"module":"names.cpp","function":"plain_c_name","symbol":"plain_c_name",

; EXCL-NOT: @__heatmap.rec._ZNK2ns5ClassIiE6methodEi =
; EXCL: @__heatmap.rec._ZN3FooclEi = internal global
; EXCL-NOT: @__heatmap.rec._ZN1AnwEm =
