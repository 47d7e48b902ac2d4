/* Twin of benches/programs/peterson.weft: Peterson's mutual exclusion for
 * two processes. The busy wait reads the other's flag, then turn, one step
 * each. In the critical section each process increments a counter (modulo 4)
 * in a read step and a write step; the ghost `inside` counts the processes
 * between the two, and the read step asserts mutual exclusion (weft checks
 * the same as an invariant on its ghost). ROUNDS = 0: each enters forever;
 * ROUNDS = k: k times, then a checker asserts count == 2k mod 4.
 *   spin -DROUNDS=2 -a peterson.pml */
#ifndef ROUNDS
#define ROUNDS 0
#endif

bool flag[2];
byte turn = 0;
byte count = 0;
byte inside = 0;
byte finished = 0;

active [2] proctype p()
{
	byte t, r = 0;
	do
	:: atomic { (ROUNDS == 0 || r < ROUNDS) -> flag[_pid] = true };
		turn = 1 - _pid;
		do
		:: flag[1 - _pid] ->
			if
			:: turn == 1 - _pid -> skip
			:: else -> break
			fi
		:: else -> break
		od;
		atomic { inside++; assert(inside == 1); t = count };
		d_step { count = (t + 1) % 4; t = 0 };
		atomic {
			inside--;
			flag[_pid] = false;
			if :: ROUNDS > 0 -> r++ :: else -> skip fi;
			if :: ROUNDS > 0 && r == ROUNDS -> finished++; break :: else -> skip fi
		}
	od
}

active proctype final_check()
{
	finished == 2;
	assert(count == (2 * ROUNDS) % 4)
}
