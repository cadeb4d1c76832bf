/* uint32_t hm_call_checked(void (*hook)(void *), void *arg)
 *
 * Calls hook(arg) with every general-purpose register but rsp and r11 holding a known value (rdi
 * holds arg) and returns a mask of the registers that the call changed: bit 0 rax, 1 rbx, 2 rcx,
 * 3 rdx, 4 rsi, 5 rdi, 6 rbp, 7 r8, 8 r9, 9 r10, 10 r12, 11 r13, 12 r14, 13 r15, 14 rsp. The ABI
 * (include/heatmap/abi.h, HM_ABI_HOOK) says that the hooks change none of them on x86-64: the
 * plugin's callers keep their values in any of them across a hook (LLVM's preserve_mostcc). */
    .text
    .globl hm_call_checked
    .type hm_call_checked, @function
hm_call_checked:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    push %rsi /* arg, the value rdi must have after the call: 0(%rsp) */
    mov %rsp, saved_rsp(%rip)
    mov %rdi, %r11
    mov %rsi, %rdi
    movabs $0x1111111111111101, %rax
    movabs $0x2222222222222202, %rbx
    movabs $0x3333333333333303, %rcx
    movabs $0x4444444444444404, %rdx
    movabs $0x5555555555555505, %rsi
    movabs $0x6666666666666606, %rbp
    movabs $0x7777777777777707, %r8
    movabs $0x8888888888888808, %r9
    movabs $0x9999999999999909, %r10
    movabs $0xaaaaaaaaaaaaaa0a, %r12
    movabs $0xbbbbbbbbbbbbbb0b, %r13
    movabs $0xcccccccccccccc0c, %r14
    movabs $0xdddddddddddddd0d, %r15
    /* 7 pushes after the return address: rsp is 16-byte aligned here, as a call needs */
    call *%r11
    /* keep the values: 14 pushes, r15 at 0(%rsp) .. rax at 104(%rsp), arg at 112(%rsp) */
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r12
    push %r13
    push %r14
    push %r15
    xor %eax, %eax
    lea 112(%rsp), %rcx
    cmp saved_rsp(%rip), %rcx
    je 1f
    or $0x4000, %eax
    mov saved_rsp(%rip), %rsp /* restore what can be restored */
    sub $112, %rsp
1:
#define CHECK(off, value, bit) movabs $value, %r11; cmp %r11, off(%rsp); je 2f; or $bit, %eax; 2:
    CHECK(104, 0x1111111111111101, 0x1)
    CHECK(96, 0x2222222222222202, 0x2)
    CHECK(88, 0x3333333333333303, 0x4)
    CHECK(80, 0x4444444444444404, 0x8)
    CHECK(72, 0x5555555555555505, 0x10)
    mov 112(%rsp), %r11
    cmp %r11, 64(%rsp)
    je 3f
    or $0x20, %eax
3:
    CHECK(56, 0x6666666666666606, 0x40)
    CHECK(48, 0x7777777777777707, 0x80)
    CHECK(40, 0x8888888888888808, 0x100)
    CHECK(32, 0x9999999999999909, 0x200)
    CHECK(24, 0xaaaaaaaaaaaaaa0a, 0x400)
    CHECK(16, 0xbbbbbbbbbbbbbb0b, 0x800)
    CHECK(8, 0xcccccccccccccc0c, 0x1000)
    CHECK(0, 0xdddddddddddddd0d, 0x2000)
    add $120, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret
    .size hm_call_checked, .-hm_call_checked

    .bss
    .align 8
saved_rsp:
    .zero 8
    .section .note.GNU-stack, "", @progbits
