import { DEMO_PRODUCERS, demoId, VILLAGE_PLACEHOLDER, type DemoProducer } from './demo-region';

/**
 * The demo beneficiary register of Jiyuan, after the 2020 campaign report: its towns, 59 registered
 * poor villages (exited 2018), 2,073 households with 7,084 people (lifted 2019), and benefit
 * agreements that link 1,486 of those people to the leading enterprises and cooperatives of
 * {@link DEMO_PRODUCERS}. Town names are real; villages other than the ones the demo producers
 * name, and every household, name, national ID and account are synthetic and deterministic.
 */

export const DEMO_REGISTER_FIGURES = {
  registeredPoorVillages: 59,
  households: 2_073,
  people: 7_084,
  linkedPeople: 1_486,
} as const;

export interface DemoTown {
  id: string;
  nameZh: string;
  nameEn: string;
  position: number;
}

export interface DemoVillage {
  id: string;
  townId: string;
  nameZh: string;
  nameEn: string;
  registeredPoor: boolean;
  exitYear: number | null;
}

export interface DemoHousehold {
  id: string;
  archiveNumber: string;
  villageId: string;
  headName: string;
  nationalId: string;
  payoutAccount: string;
  members: number;
  status: 'registered' | 'exited' | 'monitored_edge' | 'monitored_unstable';
  exitYear: number | null;
  baselineIncomeFen: number;
}

export interface DemoAgreement {
  id: string;
  producerKey: string;
  producerId: string;
  householdId: string;
  villageId: string;
  kind: 'employment' | 'dividend' | 'supply' | 'land_lease';
  weight: number;
  effectiveFrom: string;
  effectiveTo: string | null;
}

export interface DemoRegister {
  towns: DemoTown[];
  villages: DemoVillage[];
  households: DemoHousehold[];
  agreements: DemoAgreement[];
  /** {@link DEMO_PRODUCERS} with every village (and the legal names that hold one) filled in. */
  producers: DemoProducer[];
}

// Jiyuan's towns (libs/shared/demo/data/jiyuan-2020.json, from the Jiyuan Daily of 2020-05-16),
// with how many of the 59 villages each holds.
const TOWNS: [nameZh: string, nameEn: string, villages: number][] = [
  ['王屋镇', 'Wangwu', 9],
  ['邵原镇', 'Shaoyuan', 8],
  ['下冶镇', 'Xiaye', 7],
  ['大峪镇', 'Dayu', 7],
  ['坡头镇', 'Potou', 6],
  ['思礼镇', 'Sili', 5],
  ['克井镇', 'Kejing', 4],
  ['承留镇', 'Chengliu', 4],
  ['轵城镇', 'Zhicheng', 3],
  ['梨林镇', 'Lilin', 3],
  ['五龙口镇', 'Wulongkou', 3],
];

const VILLAGE_HEADS = [
  '东',
  '西',
  '南',
  '北',
  '上',
  '下',
  '前',
  '后',
  '大',
  '小',
  '高',
  '柳',
  '杨',
  '石',
  '桃',
];
const VILLAGE_TAILS = ['岭', '沟', '坪', '庄', '河', '峪', '洼', '寨', '窑', '湾'];
const SURNAMES =
  '王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶贺顾毛郝龚邵万钱严武戴孔汤';
const GIVEN = '国建华明军红玉兰秀英桂芳志强永刚海霞平文丽春梅小燕德福金山成保双喜占胜全有根凤翠';

const CHECK_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS = '10X98765432';
/** Administrative division code of Jiyuan. */
const JIYUAN_AREA_CODE = '419001';

/** Share of the linked people each producer drives: the three enterprises first. */
const LINKED_PEOPLE: Record<string, number> = {
  yangguang: 300,
  ruixing: 260,
  fengzhiyuan: 240,
};
/** Agreement kinds by producer, cycled over its households; cooperatives default to the last entry. */
const KINDS: Record<string, DemoAgreement['kind'][]> = {
  yangguang: ['supply', 'supply', 'employment'],
  ruixing: ['supply', 'employment', 'land_lease'],
  fengzhiyuan: ['land_lease', 'supply', 'employment'],
  cooperative: ['supply', 'dividend'],
  // A village-run cooperative's households hold shares in it and sell it their produce.
  villageRun: ['dividend', 'supply'],
};

/**
 * mulberry32: a small seeded generator, so that demo data is the same on every machine.
 *
 * @param seed - any 32-bit integer; the same seed gives the same sequence in [0, 1)
 */
export function demoRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(rand: () => number, items: ArrayLike<T>): T {
  return items[Math.floor(rand() * items.length)];
}

function checkCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    sum += Number(first17[i]) * CHECK_WEIGHTS[i];
  }
  return CHECK_CHARACTERS[sum % 11];
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function buildVillages(towns: DemoTown[]): DemoVillage[] {
  const named = new Map<string, string[]>();
  for (const producer of DEMO_PRODUCERS) {
    const list = named.get(producer.town) ?? [];
    for (const village of [producer.village, ...producer.products.map((p) => p.originVillage)]) {
      if (village && !list.includes(village)) {
        list.push(village);
      }
    }
    named.set(producer.town, list);
  }
  const wangwu = named.get('王屋镇') ?? [];
  if (!wangwu.includes('谭庄村')) {
    named.set('王屋镇', ['谭庄村', ...wangwu]);
  }
  const used = new Set([...named.values()].flat());
  const villages: DemoVillage[] = [];
  let synthetic = 0;
  towns.forEach((town, t) => {
    const names = [...(named.get(town.nameZh) ?? [])];
    while (names.length < TOWNS[t][2]) {
      const name = `${VILLAGE_HEADS[synthetic % VILLAGE_HEADS.length]}${VILLAGE_TAILS[Math.floor(synthetic / VILLAGE_HEADS.length) % VILLAGE_TAILS.length]}村`;
      synthetic++;
      if (!used.has(name)) {
        used.add(name);
        names.push(name);
      }
    }
    for (const nameZh of names) {
      villages.push({
        id: demoId('village', `${town.nameZh}/${nameZh}`),
        townId: town.id,
        nameZh,
        nameEn: nameZh === '谭庄村' ? 'Tanzhuang' : '',
        registeredPoor: true,
        exitYear: 2018,
      });
    }
  });
  return villages;
}

function buildHouseholds(villages: DemoVillage[], towns: DemoTown[]): DemoHousehold[] {
  const rand = demoRandom(20_200_516);
  const { households: count, people } = DEMO_REGISTER_FIGURES;
  // Household sizes 1..6 around the reported mean (3.4), then nudged to the exact total.
  const sizes = Array.from({ length: count }, () => 1 + Math.min(5, Math.floor(rand() * 3 + rand() * 3.9)));
  let total = sizes.reduce((a, b) => a + b, 0);
  for (let i = 0; total !== people; i = (i + 7) % count) {
    if (total < people && sizes[i] < 6) {
      sizes[i]++;
      total++;
    } else if (total > people && sizes[i] > 1) {
      sizes[i]--;
      total--;
    }
  }
  const townIndex = new Map(towns.map((t, i) => [t.id, i + 1]));
  const perVillage = new Map<string, number>();
  const villageIndex = new Map(
    villages.map((v) => [v.id, villages.filter((w) => w.townId === v.townId).indexOf(v) + 1]),
  );
  const ids = new Set<string>();
  return sizes.map((members, i) => {
    const village = villages[i % villages.length];
    const seq = (perVillage.get(village.id) ?? 0) + 1;
    perVillage.set(village.id, seq);
    const archiveNumber = `JY-${pad(townIndex.get(village.townId)!, 2)}${pad(villageIndex.get(village.id)!, 2)}-${pad(seq, 4)}`;
    const given = Array.from({ length: rand() < 0.7 ? 2 : 1 }, () => pick(rand, GIVEN)).join('');
    const birth = new Date(Date.UTC(1940, 0, 1) + Math.floor(rand() * 20_000) * 86_400_000);
    const birthDate = birth.toISOString().slice(0, 10).replace(/-/g, '');
    let order = Math.floor(rand() * 1000);
    let first17 = `${JIYUAN_AREA_CODE}${birthDate}${pad(order, 3)}`;
    while (ids.has(first17)) {
      order = (order + 1) % 1000;
      first17 = `${JIYUAN_AREA_CODE}${birthDate}${pad(order, 3)}`;
    }
    ids.add(first17);
    const roll = rand();
    const status: DemoHousehold['status'] =
      roll < 0.03 ? 'monitored_unstable' : roll < 0.06 ? 'monitored_edge' : 'exited';
    const perPersonYuan = 9_000 + Math.floor(rand() * 7_700);
    return {
      id: demoId('household', archiveNumber),
      archiveNumber,
      villageId: village.id,
      headName: `${pick(rand, SURNAMES)}${given}`,
      nationalId: first17 + checkCharacter(first17),
      payoutAccount: `622991${pad(Math.floor(rand() * 1e7), 7)}${pad(i, 6)}`,
      members,
      status,
      exitYear: 2019,
      baselineIncomeFen: perPersonYuan * members * 100,
    };
  });
}

function buildAgreements(
  households: DemoHousehold[],
  villages: DemoVillage[],
  towns: DemoTown[],
  producers: DemoProducer[],
): DemoAgreement[] {
  const townOfVillage = new Map(villages.map((v) => [v.id, v.townId]));
  const townByName = new Map(towns.map((t) => [t.nameZh, t.id]));
  const enterprises = Object.values(LINKED_PEOPLE).reduce((a, b) => a + b, 0);
  const cooperatives = producers.filter((p) => !(p.key in LINKED_PEOPLE));
  const perCooperative = Math.floor((DEMO_REGISTER_FIGURES.linkedPeople - enterprises) / cooperatives.length);
  let spare = DEMO_REGISTER_FIGURES.linkedPeople - enterprises - perCooperative * cooperatives.length;
  const linked = new Set<string>();
  const agreements: DemoAgreement[] = [];
  for (const producer of producers) {
    let wanted = LINKED_PEOPLE[producer.key] ?? perCooperative + (spare-- > 0 ? 1 : 0);
    const townId = townByName.get(producer.town);
    const villageId = villages.find((v) => v.townId === townId && v.nameZh === producer.village)?.id;
    // 龙头企业联镇带村: households of the producer's own town first, then anywhere; a village-run
    // cooperative's own village before the rest of its town.
    const rank = (h: DemoHousehold) =>
      producer.villageRun && h.villageId === villageId
        ? 0
        : townOfVillage.get(h.villageId) === townId
          ? 1
          : 2;
    const candidates = [0, 1, 2].flatMap((r) => households.filter((h) => rank(h) === r));
    const kinds = KINDS[producer.key] ?? (producer.villageRun ? KINDS['villageRun'] : KINDS['cooperative']);
    const producerId = demoId('producer', producer.key);
    let made = 0;
    for (const household of candidates) {
      if (wanted === 0) {
        break;
      }
      if (linked.has(household.id) || household.members > wanted) {
        continue;
      }
      linked.add(household.id);
      wanted -= household.members;
      const kind = kinds[made++ % kinds.length];
      agreements.push({
        id: demoId('agreement', `${producer.key}/${household.archiveNumber}/${kind}`),
        producerKey: producer.key,
        producerId,
        householdId: household.id,
        villageId: household.villageId,
        kind,
        weight: household.members,
        effectiveFrom: '2019-01-01',
        effectiveTo: null,
      });
    }
    if (wanted !== 0) {
      throw new Error(`demo register: could not link ${wanted} more people to ${producer.key}`);
    }
  }
  return agreements;
}

/** The demo producers with the villages the generated cooperatives take from the register. */
function resolveProducers(villages: DemoVillage[], towns: DemoTown[]): DemoProducer[] {
  return DEMO_PRODUCERS.map((producer) => {
    if (producer.village) {
      return producer;
    }
    const townId = towns.find((t) => t.nameZh === producer.town)?.id;
    const own = villages.filter((v) => v.townId === townId);
    const village = own[(producer.villageSlot ?? 0) % own.length].nameZh;
    return {
      ...producer,
      village,
      legalName: producer.legalName.replace(VILLAGE_PLACEHOLDER, village),
      products: producer.products.map((p) => ({ ...p, originVillage: p.originVillage || village })),
    };
  });
}

/**
 * Every demo producer (the three leading enterprises and 50 cooperatives) with its village, and
 * the legal name holding it, filled in: what catalog registers.
 */
export function demoProducers(): DemoProducer[] {
  return demoRegister().producers;
}

let cached: DemoRegister | undefined;

/** The demo register; built once per process (about 2,000 households), the same every time. */
export function demoRegister(): DemoRegister {
  if (!cached) {
    const towns = TOWNS.map(([nameZh, nameEn], position) => ({
      id: demoId('town', nameZh),
      nameZh,
      nameEn,
      position,
    }));
    const villages = buildVillages(towns);
    const producers = resolveProducers(villages, towns);
    const households = buildHouseholds(villages, towns);
    cached = {
      towns,
      villages,
      households,
      agreements: buildAgreements(households, villages, towns, producers),
      producers,
    };
  }
  return cached;
}

/**
 * Households holding a `supply` agreement with a demo producer (ids, in register order): what a
 * demo lot of that producer can name as its suppliers.
 *
 * @param producerKey - key of a {@link DEMO_PRODUCERS} entry, e.g. `yangguang`
 */
export function demoSupplierHouseholds(producerKey: string): string[] {
  return demoRegister()
    .agreements.filter((a) => a.producerKey === producerKey && a.kind === 'supply')
    .map((a) => a.householdId);
}
