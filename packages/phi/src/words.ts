/**
 * Words that are not people's names, for the name rules in index.ts. Lower case, space
 * separated. A capitalised word in one of these lists never starts a name and ends one.
 *
 * - EQUIPMENT: what follows "Patient", "Bed 4" or "Room 412" in equipment talk and on monitor
 *   screens (units, alarms, parts, states, places in a hospital).
 * - MAKERS: manufacturers and product lines that read like names (Baxter, Stryker, Welch
 *   Allyn, Hill-Rom, Smiths Medical, Zoll, Sigma Spectrum, Giraffe...).
 * - ENGLISH: common English words, above all those that are also first names or surnames in the
 *   lexicon (Will, Mark, Rose, Young, Page, Case, Chase...): in equipment text they are words.
 *   A name made only of such words ("Bed 4 Rose Young") is missed; docs/phi.md says so.
 */

export const EQUIPMENT =
  'none n/a nil null unknown unk anonymous anon test testing tested demo patient patients pt pts ptnt adult adults ' +
  'pediatric paediatric peds ped neonate neonatal neo infant child male female yes no not on off admitted admit ' +
  'discharged discharge unassigned assigned standby monitor monitors monitoring cable cables circuit side data ' +
  'mode type category name id mrn dob ssn age sex gender room rm bed beds bay unit icu ccu nicu picu pacu sicu ' +
  'micu cvicu ward floor alarm alarms alert alerts central station biomed biomedical clinical engineering service ' +
  'tech technician nurse nursing doctor physician connected disconnected paced nonpaced non-paced ecg ekg nibp ibp ' +
  'spo2 etco2 co2 temp resp hr rr bp cvp pap icp lead leads probe sensor cuff pump pumps ventilator vent defib ' +
  'defibrillator empty vacant occupied available clean dirty storage supply closet shop lab hallway east west north ' +
  'south wing tower building pavilion pavilions annex institute campus lobby admin administrator office conference equipment device devices network wifi ' +
  'telemetry tele transmitter model serial firmware software version status ok fail failed failure pass passed ' +
  'normal error errors warning warnings info information note notes see check checked replaced cleaned calibrated ' +
  'calibration oem new old same other details simulator phantom mannequin manikin training trainer dummy sample ' +
  'example record records identification list census transfer transferred location weight height kg lbs ' +
  'demographics banner header selected select enter entered first last given family middle stable critical sedated ' +
  'intubated extubated ambulatory awake asleep resting comfortable expired deceased isolation npo dnr fall risk ' +
  'contact droplet airborne vitals vital signs sign setup settings config configuration menu screen display battery ' +
  'batteries power mains ac dc charging charger dock docking cart pole mount bracket headwall rail rails port outlet ' +
  'gas oxygen o2 air vacuum suction medical surgical med surg step stepdown observation obs recovery preop postop ' +
  'labor delivery ldr nursery rehab dialysis cath endo imaging radiology xray x-ray mri ct ultrasound general ' +
  'hospital clinic center centre main annex wireless wired ethernet label labels crash code blue utility soiled ' +
  'linen break breakroom meds pharmacy negative pressure anteroom bathroom restroom shower toilet sink window door ' +
  'hvac spare loaner rental backup inventory care safety transport access experience lift lifts warming warmer ' +
  'warmers services relations advocate flow portal education connect connection module modules tubing size support ' +
  'handling ready leakage auxiliary applied part parts current table couch positioning controlled analgesia ' +
  'simulation scale scales mattress frame footboard headboard siderail siderails brake brakes motor board boards ' +
  'cord cords plug plugs fuse fuses switch switches button buttons knob handset pendant remote speaker pillow ' +
  'light lights lamp bulb fan filter filters valve valves hose hoses tank tanks regulator flowmeter blender ' +
  'humidifier nebulizer concentrator compressor heater chamber sensor sensors transducer transducers electrode ' +
  'electrodes pads pad paddle paddles cable harness adapter adaptor connector connectors trunk interface gateway ' +
  'server client host router access point ap bridge hub nurse-call nursecall call calls station stations ' +
  'channel channels line lines set sets bag bags syringe syringes needle spike drip drop drops rate rates dose ' +
  'doses dosing library libraries drug drugs profile profiles occlusion occluded downstream upstream upstream ' +
  'infusion infusions bolus basal prime primed priming air-in-line air-in bubble bubbles sensor door latch ' +
  'keypad key keys lock locked unlock unlocked locking override overridden silence silenced silencing pause ' +
  'paused resume start started stop stopped running run idle sleep wake reboot rebooted restart restarted reset ' +
  'shutdown boot booting update updated upgrade upgraded patch patched install installed uninstall removed ' +
  'asystole vfib vtach v-fib v-tach afib a-fib brady bradycardia tachy tachycardia apnea apnoea desat pvc pvcs ' +
  'pace pacer pacing paced artifact noise lead-off leads-off low high hi lo very extreme limit limits range ' +
  'inop inoperative technical tech-alarm physiological arrhythmia st-segment qrs qt asys vt vf svt ' +
  'inpatient outpatient emergency urgent routine stat priority pm pms preventive maintenance repair repaired ' +
  'repairs inspection inspected inspect safety-check electrical mechanical cosmetic visual functional performance ' +
  'hipaa phi pii redacted redact anonymized anonymised deidentified de-identified blurred blur hidden masked ' +
  'mdc ucum ln loinc hl7 adt oru ack msh obx obr pv1 evn nte pid orc hosp mr fin pi mc rx dx tx hx sx ' +
  'manufacturer vendor rep depot warehouse rma po invoice quote ticket case work order wo asset tag ' +
  'admin admins user users username login password account accounts guest operator operators clinician clinicians ' +
  'default factory preset custom local remote internal external primary secondary backup redundant ' +
  'lobby elevator stairwell basement attic roof garage dock loading receiving shipping mailroom morgue chapel ' +
  'cafeteria kitchen laundry security parking entrance exit corridor hall-way nurses desk counter workroom ' +
  'biomeds bmet bmets ce ces cbet ccet htm it is disconnect detected detect effort trigger blank ';

export const MAKERS =
  'philips ge healthcare mindray draeger drager dräger spacelabs nihon kohden zoll stryker baxter bd becton ' +
  'dickinson alaris carefusion medtronic covidien nellcor masimo welch allyn hillrom hill-rom hill rom smiths ' +
  'medfusion cadd solis fresenius kabi braun b.braun aesculap hospira icu plum getinge maquet datascope arjo ' +
  'arjohuntleigh huntleigh invacare steris amsco olympus storz karl siemens healthineers canon toshiba hologic ' +
  'fujifilm fuji carestream agfa vyaire carefusion hamilton puritan bennett respironics resmed fisher paykel ' +
  'natus cadwell nonin criticare edwards lifesciences abiomed impella teleflex arrow cardinal kangaroo moog zevex ' +
  'ivenix eitan sapphire mennen fluke rigel datrend pronk netech gaymar cincinnati sub-zero blanketrol bair hugger ' +
  'belmont ranger medline kimberly-clark halyard avanos tuttnauer midmark ritter skytron berchtold valleylab ' +
  'conmed megadyne erbe bovie ethicon intuitive vinci cepheid abbott roche sysmex beckman coulter radiometer nova ' +
  'omron suntech schiller zoll cardiac science physio-control physio heartstart mortara burdick capsule bernoulli ' +
  'cerner epic vocera rauland ascom navicare centrella progressa versacare totalcare envella linet sizewise joerns ' +
  'medela giraffe panda ohmeda isolette omnibed babyleo carescape dash solar eagle aisys aestiva avance fabius ' +
  'apollo perseus primus evita savina oxylog servo trilogy astral bellavista galileo ltv vela avea bird intellivue ' +
  'efficia goldway lifepak propaq heartstart sigma spectrum sapphire infinity delta kappa gamma vista m300 ' +
  'hoyer sara stedy maxi sky viking liko golvo molift prism prismaflex prismax nxstage gambro baxter-gambro ' +
  'phoenix hemocontrol diasafe bard foley cook boston scientific st jude abbott biotronik sorin livanova ' +
  'terumo sarns stockert cobe haemonetics belmont level thermo thermofisher eppendorf beckman-coulter ' +
  'pyxis omnicell medstation accudose alaris guardrails keepsafe mediguard dosetrac ' +
  'welchallyn connex spot vitals veinviewer accuvein sonosite butterfly clarius lumify vscan logiq voluson ' +
  'vivid venue acuson epiq affiniti sparq ' +
  'optium accu-chek accuchek inform precision xceed statstrip glucometer istat i-stat epoc piccolo ' +
  'ranger bairhugger warmtouch kimvent ballard covidien kendall scd express ' +
  'flexiseal bladderscan verathon glidescope mcgrath storz airtraq ' +
  'microsoft windows excel word teams outlook office sharepoint servicenow maximo tms accruent nuvolo ' +
  'ecri aami fda joint commission cms nfpa ul iec iso ';

export const ENGLISH =
  'the a an and or but if then than so as at by for from in into of off on onto out over per to up upon via with ' +
  'without within about above across after against along among around before behind below beneath beside ' +
  'between beyond down during except inside near outside past since through throughout till toward under until ' +
  'i me my mine we us our you your he him his she her hers it its they them their this that these those who whom ' +
  'whose which what where when why how all any both each every few many more most much no none nor not only own ' +
  'other some such too very can could may might must shall should will would do does did done doing be been being ' +
  'am are is was were has have had having get got gets getting go goes going gone went make made makes come came ' +
  'take took put set let say said says see saw seen look looked looks keep kept keeps give gave given find found ' +
  'think thought tell told ask asked asks try tried tries call called calls need needed needs want wanted wants ' +
  'use used uses work worked works show showed shows turn turned turns leave left pull pulled pulls push pushed ' +
  'swap swapped swaps send sent sends read reads write wrote written fix fixed fixes change changed changes ' +
  'here there now today tonight yesterday tomorrow again still just also even ever never always often sometimes ' +
  'soon later early late already yet well back away maybe please thanks thank hi hello hey ok okay yes yeah nope ' +
  'new old good bad best better worse worst big small long short high low hot cold warm cool full half whole ' +
  'right wrong true false sure real same different next last first second third one two three four five six ' +
  'seven eight nine ten hundred thousand day days week weeks month months year years hour hours minute minutes ' +
  'time times night morning evening noon midnight shift weekend monday tuesday wednesday thursday friday saturday ' +
  'sunday january february march april june july august september october november december ' +
  'will mark may rose bill jack don art sue pat ray guy dawn hunter grant chase page case bay ward long young white ' +
  'black green brown gray grey king hill wood woods stone price bell rice hunt lane hall power park ball snow frost ' +
  'day little short cross field fields moss rich hope faith joy grace glory summer winter autumn spring star sky ' +
  'river rain storm heaven angel baby lucky happy honey sugar candy brandy chip buddy rusty dusty sunny sonny major ' +
  'general junior senior royal prince princess duke earl baron bishop deacon pope judge marshal sergeant chief ' +
  'captain officer fox wolf bird ' +
  'crane swan robin jay drake martin finch hawk rex max sterling penny dollar cash gold silver iron steel copper ' +
  'crystal amber ruby pearl jade iris ivy holly violet lily daisy poppy olive hazel cherry apple berry ' +
  'august april june dale glen dell heath moore moor marsh brook brooks ford bridge bridges wall walls gate gates ' +
  'house houses street road lane way drive court place avenue square church hall castle tower mill mills ' +
  'north south east west central upper lower middle front rear top bottom inner outer ' +
  'clean coffee fix-it pro plus max mini ultra super premier prime elite select standard basic deluxe ' +
  'alert alarm silence quiet loud noise noisy beep beeping beeps chirp chirping flashing blinking dead alive ' +
  'broken cracked loose stuck bent missing damaged worn dirty wet dry leaking leak leaks smoke smell burning ' +
  'burnt hot warm overheated overheat overheating cold frozen slow fast quick intermittent random constant ' +
  'steady unstable stable ok fine normal abnormal weird strange odd funny crazy wild sorry lol wtf fyi asap ' +
  'tbd tba eta etc aka re fw fwd cc bcc attn pls plz thx ty np idk imo imho btw afaik iirc ' +
  'drug drugs med meds dose fluid fluids blood urine stool sputum feeding feed formula milk water saline ' +
  'heparin insulin propofol morphine fentanyl dopamine norepi levophed vanc vancomycin antibiotics ' +
  'doctor doctors nurses tech techs staff team crew vendor vendors rep reps engineer engineers manager managers ' +
  'director supervisor lead charge charge-nurse unit-clerk clerk secretary tech-support support helpdesk ' +
  'sentry guardian keeper shepherd pilot scout ranger trooper warden ' +
  'faith verity constance prudence patience charity mercy honor honour justice liberty unity harmony';
