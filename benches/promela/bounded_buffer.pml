/* Twin of benches/programs/bounded_buffer.weft: a bounded buffer of SIZE
 * slots with P producers and C consumers, synchronized by two counting
 * semaphores (free and filled slots) and one lock per side for the
 * positions. A producer puts a non-zero item; a consumer takes it, asserts
 * it is non-zero and clears the slot. ROUNDS = 0: everybody loops forever;
 * ROUNDS = k: each producer puts k items, each consumer takes k (P == C).
 * A semaphore acquire is one atomic step (wait for a permit, take it), a
 * release one step (the local loop test joins the next step, as weft
 * folds local work, and the loop is left in the last step); a lock is a bit taken by a test-and-set atomic step.
 *   spin -DP=3 -DC=3 -a bounded_buffer.pml */
#ifndef P
#define P 1
#endif
#ifndef C
#define C 1
#endif
#ifndef SIZE
#define SIZE 2
#endif
#ifndef ROUNDS
#define ROUNDS 0
#endif

byte buf[SIZE];
byte in_pos = 0;
byte out_pos = 0;
byte free_slots = SIZE;
byte filled_slots = 0;
bit put_lock = 0;
bit take_lock = 0;

active [P] proctype producer()
{
	byte i, r = 0;
	do
	:: atomic { (ROUNDS == 0 || r < ROUNDS) && free_slots > 0 -> free_slots-- };
		atomic { put_lock == 0 -> put_lock = 1 };
		i = in_pos;
		buf[i] = _pid + 1;
		d_step { in_pos = (i + 1) % SIZE; i = 0 };
		put_lock = 0;
		atomic {
			filled_slots++;
			if :: ROUNDS > 0 -> r++ :: else -> skip fi;
			if :: ROUNDS > 0 && r >= ROUNDS -> break :: else -> skip fi
		}
	od
}

active [C] proctype consumer()
{
	byte o, item, r = 0;
	do
	:: atomic { (ROUNDS == 0 || r < ROUNDS) && filled_slots > 0 -> filled_slots-- };
		atomic { take_lock == 0 -> take_lock = 1 };
		o = out_pos;
		d_step { item = buf[o]; assert(item != 0); item = 0 };
		buf[o] = 0;
		d_step { out_pos = (o + 1) % SIZE; o = 0 };
		take_lock = 0;
		atomic {
			free_slots++;
			if :: ROUNDS > 0 -> r++ :: else -> skip fi;
			if :: ROUNDS > 0 && r >= ROUNDS -> break :: else -> skip fi
		}
	od
}
